//! Grading rules (pure): a question is right when the selected options are exactly the
//! correct set. Multiple choice is all-or-nothing: a partial selection scores nothing.

use rand::seq::SliceRandom;

/// True when `selected` is exactly the set `correct` (order and repeats ignored).
pub fn is_correct(correct: &[i16], selected: &[i16]) -> bool {
    let mut c = correct.to_vec();
    let mut s = selected.to_vec();
    c.sort_unstable();
    c.dedup();
    s.sort_unstable();
    s.dedup();
    !s.is_empty() && c == s
}

/// Shuffles options for one attempt; returns the new options and the correct indices
/// remapped to them.
pub fn shuffle(options: &[String], correct: &[i16]) -> (Vec<String>, Vec<i16>) {
    let mut order: Vec<usize> = (0..options.len()).collect();
    order.shuffle(&mut rand::rng());
    let shuffled = order.iter().map(|&i| options[i].clone()).collect();
    let mut remapped: Vec<i16> = correct
        .iter()
        .filter_map(|&c| order.iter().position(|&i| i as i16 == c).and_then(|p| i16::try_from(p).ok()))
        .collect();
    remapped.sort_unstable();
    (shuffled, remapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_true_false() {
        assert!(is_correct(&[1], &[1]));
        assert!(!is_correct(&[1], &[0]));
        assert!(!is_correct(&[1], &[]), "no answer is wrong");
        assert!(!is_correct(&[1], &[0, 1]), "selecting extra options is wrong");
    }

    #[test]
    fn multiple_choice_is_all_or_nothing() {
        assert!(is_correct(&[0, 2], &[2, 0]));
        assert!(!is_correct(&[0, 2], &[0]), "partial answers score nothing");
        assert!(!is_correct(&[0, 2], &[0, 1, 2]));
        assert!(is_correct(&[0, 2], &[0, 2, 2]), "repeats are ignored");
    }

    #[test]
    fn shuffle_keeps_the_correct_options_correct() {
        let options: Vec<String> = ["a", "b", "c", "d", "e"].iter().map(|s| s.to_string()).collect();
        for _ in 0..50 {
            let (shuffled, correct) = shuffle(&options, &[1, 3]);
            let picked: Vec<&str> = correct.iter().map(|&i| shuffled[i as usize].as_str()).collect();
            let mut picked = picked;
            picked.sort();
            assert_eq!(picked, ["b", "d"]);
            assert_eq!(shuffled.len(), 5);
        }
    }
}
