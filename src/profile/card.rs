//! The SVG progress card: a self-contained image for a README or a social post.
//!
//! Pure string building, so it is unit-tested here. Every piece of text comes from
//! users (display names) or admins (titles) and is XML-escaped; the image uses system
//! fonts only and loads nothing, because image proxies (and GitHub's) refuse or strip
//! external references. Text cannot be measured without a font, so long titles are
//! shortened by character count to stay inside the 480 px width.

use std::fmt::Write;

/// Everything drawn on a card.
#[derive(Debug, Clone)]
pub struct Card<'a> {
    pub track_title: &'a str,
    pub handle: &'a str,
    pub display_name: Option<&'a str>,
    /// Overall track percent (rounded down, as the API reports it).
    pub percent: i32,
    pub current_streak: i64,
    /// Stages in roadmap order: title, fill 0 to 1, percent.
    pub stages: Vec<CardStage<'a>>,
}

#[derive(Debug, Clone)]
pub struct CardStage<'a> {
    pub title: &'a str,
    pub fill: f64,
    pub percent: i32,
}

pub const WIDTH: u32 = 480;
const PAD: u32 = 16;
const HEADER: u32 = 68;
const ROW: u32 = 30;
const FOOTER: u32 = 26;
const BAR_WIDTH: u32 = WIDTH - 2 * PAD;
const FONTS: &str = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif";

/// The card's height for `stages` stages.
pub fn height(stages: usize) -> u32 {
    HEADER + ROW * stages as u32 + FOOTER
}

/// Renders the card as a standalone SVG document.
pub fn render(card: &Card) -> String {
    let height = height(card.stages.len());
    let title = shorten(card.track_title, 34);
    let who = match card.display_name {
        Some(name) => format!("{} · @{}", shorten(name, 32), card.handle),
        None => format!("@{}", card.handle),
    };
    let streak = match card.current_streak {
        0 => "no current streak".to_owned(),
        n => format!("{n}-day streak"),
    };
    let label = format!("{title}: {}% complete, {who}, {streak}", card.percent);
    let mut svg = String::with_capacity(1500 + 400 * card.stages.len());
    // `write!` into a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="card-title">
<title id="card-title">{label}</title>
<rect x="0.5" y="0.5" width="{w}" height="{h}" rx="8" fill="#ffffff" stroke="#d0d7de"/>
<g font-family="{FONTS}">
<text x="{PAD}" y="30" font-size="16" font-weight="600" fill="#1f2328">{title}</text>
<text x="{PAD}" y="50" font-size="12" fill="#59636e">{who}</text>
<text x="{right}" y="32" font-size="22" font-weight="700" fill="#0969da" text-anchor="end">{percent}%</text>
"##,
        w = WIDTH - 1,
        h = height - 1,
        label = escape(&label),
        title = escape(&title),
        who = escape(&who),
        right = WIDTH - PAD,
        percent = card.percent,
    );
    for (i, stage) in card.stages.iter().enumerate() {
        let top = HEADER + ROW * i as u32;
        let filled = (stage.fill.clamp(0.0, 1.0) * f64::from(BAR_WIDTH) * 10.0).round() / 10.0;
        let color = if stage.percent >= 100 { "#1a7f37" } else { "#0969da" };
        let _ = write!(
            svg,
            r##"<text x="{PAD}" y="{text_y}" font-size="12" fill="#1f2328">{title}</text>
<text x="{right}" y="{text_y}" font-size="12" fill="#59636e" text-anchor="end">{percent}%</text>
<rect x="{PAD}" y="{bar_y}" width="{BAR_WIDTH}" height="6" rx="3" fill="#eaeef2"/>
<rect x="{PAD}" y="{bar_y}" width="{filled}" height="6" rx="3" fill="{color}"/>
"##,
            text_y = top + 12,
            bar_y = top + 18,
            title = escape(&shorten(stage.title, 56)),
            right = WIDTH - PAD,
            percent = stage.percent,
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{PAD}" y="{y}" font-size="10" fill="#8c959f">studytrack</text>
<text x="{right}" y="{y}" font-size="12" fill="#59636e" text-anchor="end">{streak}</text>
</g>
</svg>
"##,
        y = height - 10,
        right = WIDTH - PAD,
        streak = escape(&streak),
    );
    svg
}

/// At most `max` characters, with an ellipsis when shortened.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// Escapes text for XML content and attribute values, and drops the characters XML
/// 1.0 cannot carry at all (C0 controls other than tab and newlines, U+FFFE, U+FFFF),
/// which would otherwise make the whole image unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card<'a>(name: Option<&'a str>, title: &'a str, stages: Vec<CardStage<'a>>) -> Card<'a> {
        Card { track_title: title, handle: "ann-lee", display_name: name, percent: 31, current_streak: 4, stages }
    }

    fn stage(title: &str, fill: f64, percent: i32) -> CardStage<'_> {
        CardStage { title, fill, percent }
    }

    #[test]
    fn hostile_text_is_escaped_and_the_document_parses() {
        let hostile = "<script>alert('x')</script>&\"\u{1}\u{FFFF}";
        let svg = render(&card(Some(hostile), "C++ <& Rust>", vec![stage("Stage \"one\" <b>", 0.5, 50)]));
        assert!(!svg.contains("<script"), "raw markup leaked:\n{svg}");
        assert!(!svg.contains("<b>"));
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("not well-formed ({e}):\n{svg}"));
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(texts.contains(&"<script>alert('x')</script>&\" · @ann-lee"), "{texts:?}");
        assert!(texts.contains(&"C++ <& Rust>"));
        assert!(texts.contains(&"Stage \"one\" <b>"));
        // Shortening happens before escaping, so it can never cut an entity in half.
        let long = "&".repeat(200);
        let svg = render(&card(Some(&long), &long, vec![stage(&long, 0.5, 50)]));
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("not well-formed ({e}):\n{svg}"));
    }

    #[test]
    fn layout_grows_with_stages_and_bars_follow_fills() {
        let svg = render(&card(None, "Python", vec![stage("A", 0.0, 0), stage("B", 0.5, 50), stage("C", 1.0, 100)]));
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("width"), Some("480"));
        assert_eq!(root.attribute("height"), Some(height(3).to_string().as_str()));
        let widths: Vec<&str> = root
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("height") == Some("6"))
            .filter(|n| n.attribute("fill") != Some("#eaeef2"))
            .filter_map(|n| n.attribute("width"))
            .collect();
        assert_eq!(widths, ["0", "224", "448"]);
        assert!(svg.contains(">@ann-lee<"), "handle without a display name");
        assert!(svg.contains(">4-day streak<"));
        assert!(!svg.contains("href"), "a card must not reference anything outside itself");
    }

    #[test]
    fn long_titles_are_shortened() {
        let long = "x".repeat(100);
        let svg = render(&card(None, &long, vec![]));
        assert!(svg.contains(&format!("{}…", "x".repeat(33))));
        assert!(!svg.contains(&"x".repeat(35)));
    }
}
