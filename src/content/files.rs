//! Reading a seed directory (the layout in `seed/README.md`) into a [`Bundle`].
//!
//! Parsing never stops at the first bad file: every problem is collected so an author
//! fixes them all in one pass.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::bundle::{ArticleDoc, Bundle, FlashcardDoc, QuestionDoc, QuizItemDoc, TopicDoc, TrackDoc};
use super::problems::Problems;

/// Loads every file under `dir`; problems name the file relative to `dir`.
pub fn read_dir(dir: &Path, problems: &mut Problems) -> Bundle {
    let mut bundle = Bundle::default();
    if !dir.is_dir() {
        problems.add(dir.display().to_string(), "seed directory", "does not exist or is not a directory");
        return bundle;
    }
    for path in files_with_ext(&dir.join("tracks"), "toml", problems) {
        let rel = relative(dir, &path);
        if let Some(mut track) = read_toml::<TrackDoc>(&path, &rel, problems) {
            track.slug = stem(&path);
            track.source = rel;
            bundle.tracks.push(track);
        }
    }
    for topic_dir in subdirs(&dir.join("topics"), problems) {
        if let Some(topic) = read_topic(dir, &topic_dir, problems) {
            bundle.topics.push(topic);
        }
    }
    for path in files_with_ext(&dir.join("articles"), "md", problems) {
        let rel = relative(dir, &path);
        if let Some((mut article, body)) = read_front_matter::<ArticleDoc>(&path, &rel, problems) {
            article.slug = stem(&path);
            article.body = body;
            article.source = rel;
            bundle.articles.push(article);
        }
    }
    bundle
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicMeta {
    title: String,
    #[serde(default)]
    key_points: Vec<String>,
    #[serde(default)]
    prerequisites: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlashcardFile {
    #[serde(default)]
    cards: Vec<FlashcardDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizFile {
    #[serde(default)]
    items: Vec<QuizItemDoc>,
}

fn read_topic(root: &Path, topic_dir: &Path, problems: &mut Problems) -> Option<TopicDoc> {
    let topic_file = topic_dir.join("topic.md");
    let rel = relative(root, &topic_file);
    if !topic_file.is_file() {
        problems.add(relative(root, topic_dir), "topic", "missing topic.md");
        return None;
    }
    let (meta, summary) = read_front_matter::<TopicMeta>(&topic_file, &rel, problems)?;
    let mut topic = TopicDoc {
        slug: stem(topic_dir),
        title: meta.title,
        summary,
        key_points: meta.key_points,
        prerequisites: meta.prerequisites,
        questions: Vec::new(),
        flashcards: Vec::new(),
        quiz: Vec::new(),
        source: rel,
    };
    for path in files_with_ext(&topic_dir.join("questions"), "md", problems) {
        let qrel = relative(root, &path);
        if let Some((mut question, answer)) = read_front_matter::<QuestionDoc>(&path, &qrel, problems) {
            question.slug = stem(&path);
            question.answer = answer;
            question.source = qrel;
            topic.questions.push(question);
        }
    }
    let cards = topic_dir.join("flashcards.toml");
    if cards.is_file()
        && let Some(file) = read_toml::<FlashcardFile>(&cards, &relative(root, &cards), problems)
    {
        topic.flashcards = file.cards;
    }
    let quiz = topic_dir.join("quiz.toml");
    if quiz.is_file()
        && let Some(file) = read_toml::<QuizFile>(&quiz, &relative(root, &quiz), problems)
    {
        topic.quiz = file.items;
    }
    Some(topic)
}

fn read_toml<T: DeserializeOwned>(path: &Path, rel: &str, problems: &mut Problems) -> Option<T> {
    let text = read_text(path, rel, problems)?;
    match toml::from_str(&text) {
        Ok(value) => Some(value),
        Err(err) => {
            problems.add(rel, "file", format!("invalid TOML: {}", one_line(&err.to_string())));
            None
        }
    }
}

/// Splits `+++`-fenced TOML front matter from the Markdown body that follows it.
pub fn split_front_matter(text: &str) -> Result<(&str, &str), &'static str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "+++" => {}
        _ => return Err("file must start with a line holding exactly +++"),
    }
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = start;
    for line in lines {
        if line.trim_end() == "+++" {
            let front = &text[start..offset];
            let body = &text[offset + line.len()..];
            return Ok((front, body.trim_matches('\n')));
        }
        offset += line.len();
    }
    Err("front matter has no closing +++ line")
}

fn read_front_matter<T: DeserializeOwned>(path: &Path, rel: &str, problems: &mut Problems) -> Option<(T, String)> {
    let text = read_text(path, rel, problems)?;
    let (front, body) = match split_front_matter(&text) {
        Ok(parts) => parts,
        Err(problem) => {
            problems.add(rel, "front matter", problem);
            return None;
        }
    };
    match toml::from_str(front) {
        Ok(meta) => Some((meta, body.to_owned())),
        Err(err) => {
            problems.add(rel, "front matter", format!("invalid TOML: {}", one_line(&err.to_string())));
            None
        }
    }
}

fn read_text(path: &Path, rel: &str, problems: &mut Problems) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) => {
            problems.add(rel, "file", format!("cannot read: {err}"));
            None
        }
    }
}

fn files_with_ext(dir: &Path, ext: &str, problems: &mut Problems) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        entries(dir, problems).into_iter().filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext)).collect();
    files.sort();
    files
}

fn subdirs(dir: &Path, problems: &mut Problems) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = entries(dir, problems).into_iter().filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

fn entries(dir: &Path, problems: &mut Problems) -> Vec<PathBuf> {
    if !dir.exists() {
        return Vec::new();
    }
    match fs::read_dir(dir) {
        Ok(read) => read.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(err) => {
            problems.add(dir.display().to_string(), "directory", format!("cannot read: {err}"));
            Vec::new()
        }
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes a bundle as files in the seed layout (the inverse of [`read_dir`]), so
/// content edited through the API can go back into git.
pub fn write_dir(bundle: &Bundle, dir: &Path) -> anyhow::Result<usize> {
    use serde::Serialize;

    #[derive(Serialize)]
    struct TrackFile<'a> {
        title: &'a str,
        summary: &'a str,
        electives: &'a [String],
        stages: &'a [super::bundle::StageDoc],
    }
    #[derive(Serialize)]
    struct TopicFront<'a> {
        title: &'a str,
        key_points: &'a [String],
        prerequisites: &'a [String],
    }
    #[derive(Serialize)]
    struct QuestionFront<'a> {
        title: &'a str,
        difficulty: &'a str,
        tags: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        order: Option<i32>,
        prompt: &'a str,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        rubric: &'a [String],
    }
    #[derive(Serialize)]
    struct ArticleFront<'a> {
        title: &'a str,
        summary: &'a str,
        topics: &'a [String],
    }
    #[derive(Serialize)]
    struct Cards<'a> {
        cards: &'a [FlashcardDoc],
    }
    #[derive(Serialize)]
    struct Items<'a> {
        items: &'a [QuizItemDoc],
    }

    fn front_matter<T: Serialize>(meta: &T, body: &str) -> anyhow::Result<String> {
        Ok(format!("+++\n{}+++\n{}\n", toml::to_string(meta)?, body))
    }

    let mut written = 0;
    let mut write = |path: std::path::PathBuf, text: String| -> anyhow::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, text)?;
        written += 1;
        Ok(())
    };
    for track in &bundle.tracks {
        let file = TrackFile {
            title: &track.title,
            summary: &track.summary,
            electives: &track.electives,
            stages: &track.stages,
        };
        write(dir.join("tracks").join(format!("{}.toml", track.slug)), toml::to_string(&file)?)?;
    }
    for topic in &bundle.topics {
        let tdir = dir.join("topics").join(&topic.slug);
        let front =
            TopicFront { title: &topic.title, key_points: &topic.key_points, prerequisites: &topic.prerequisites };
        write(tdir.join("topic.md"), front_matter(&front, &topic.summary)?)?;
        for q in &topic.questions {
            let front = QuestionFront {
                title: &q.title,
                difficulty: &q.difficulty,
                tags: &q.tags,
                order: q.order,
                prompt: &q.prompt,
                rubric: &q.rubric,
            };
            write(tdir.join("questions").join(format!("{}.md", q.slug)), front_matter(&front, &q.answer)?)?;
        }
        if !topic.flashcards.is_empty() {
            write(tdir.join("flashcards.toml"), toml::to_string(&Cards { cards: &topic.flashcards })?)?;
        }
        if !topic.quiz.is_empty() {
            write(tdir.join("quiz.toml"), toml::to_string(&Items { items: &topic.quiz })?)?;
        }
    }
    for article in &bundle.articles {
        let front = ArticleFront { title: &article.title, summary: &article.summary, topics: &article.topics };
        write(dir.join("articles").join(format!("{}.md", article.slug)), front_matter(&front, &article.body)?)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_splits_and_keeps_body_verbatim() {
        let text = "+++\ntitle = \"x\"\n+++\n\nBody with ```code``` and \\ backslashes\n";
        let (front, body) = split_front_matter(text).unwrap();
        assert_eq!(front, "title = \"x\"\n");
        assert_eq!(body, "Body with ```code``` and \\ backslashes");
    }

    #[test]
    fn missing_fences_are_reported() {
        assert!(split_front_matter("title = 1\n").is_err());
        assert!(split_front_matter("+++\ntitle = 1\n").is_err());
    }

    #[test]
    fn crlf_fences_work() {
        let (front, _) = split_front_matter("+++\r\ntitle = \"x\"\r\n+++\r\nbody").unwrap();
        assert!(front.contains("title"));
    }
}
