//! The seven board themes and their colours (the original board's palette).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::AppError;

/// A theme name, kebab-case on the wire. Parsing a string (the board's REST API) also accepts
/// the original board's aliases such as `neobrutalism` and `retro_arcade`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    /// Slate and cyan.
    #[default]
    Default,
    /// Warm amber on cream.
    Claude,
    /// Twitter blue on black.
    Twitter,
    /// Loud yellow and pink on white.
    NeoBrutalism,
    /// Green phosphor on black.
    RetroArcade,
    /// Violet and teal on deep indigo.
    Aurora,
    /// Navy and slate on white.
    Business,
}

/// The four colours a theme defines, as CSS hex strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ThemeColors {
    /// Accent colour.
    pub primary: String,
    /// Secondary accent.
    pub secondary: String,
    /// Page background.
    pub background: String,
    /// Text colour.
    pub foreground: String,
}

/// A theme with its colours: the board API's `/api/theme` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ThemeState {
    /// The theme's name.
    pub theme: ThemeName,
    /// Its colours.
    pub colors: ThemeColors,
}

impl ThemeName {
    /// Every theme, in the order the picker shows them.
    pub const ALL: [ThemeName; 7] = [
        Self::Default,
        Self::Claude,
        Self::Twitter,
        Self::NeoBrutalism,
        Self::RetroArcade,
        Self::Aurora,
        Self::Business,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Claude => "claude",
            Self::Twitter => "twitter",
            Self::NeoBrutalism => "neo-brutalism",
            Self::RetroArcade => "retro-arcade",
            Self::Aurora => "aurora",
            Self::Business => "business",
        }
    }

    /// The theme's colours.
    pub fn colors(self) -> ThemeColors {
        let [primary, secondary, background, foreground] = match self {
            Self::Default => ["#06b6d4", "#64748b", "#0f172a", "#f8fafc"],
            Self::Claude => ["#d97706", "#92400e", "#fffbeb", "#1c1917"],
            Self::Twitter => ["#1d9bf0", "#71767b", "#000000", "#e7e9ea"],
            Self::NeoBrutalism => ["#facc15", "#ec4899", "#ffffff", "#000000"],
            Self::RetroArcade => ["#22c55e", "#06b6d4", "#000000", "#22c55e"],
            Self::Aurora => ["#8b5cf6", "#14b8a6", "#0f0a2a", "#c4b5fd"],
            Self::Business => ["#1e3a5f", "#64748b", "#ffffff", "#1e293b"],
        };
        ThemeColors {
            primary: primary.into(),
            secondary: secondary.into(),
            background: background.into(),
            foreground: foreground.into(),
        }
    }

    /// The name with its colours.
    pub fn state(self) -> ThemeState {
        ThemeState {
            theme: self,
            colors: self.colors(),
        }
    }
}

impl FromStr for ThemeName {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normalized = s.trim().to_ascii_lowercase().replace('_', "-");
        let canonical = match normalized.as_str() {
            "neobrutalism" => "neo-brutalism",
            "retroarcade" => "retro-arcade",
            other => other,
        };
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == canonical)
            .ok_or_else(|| {
                let known: Vec<_> = Self::ALL.iter().map(|t| t.as_str()).collect();
                AppError::InvalidInput(format!(
                    "unknown theme `{s}`; expected one of: {}",
                    known.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_parse_and_names_round_trip() {
        assert_eq!(
            "neobrutalism".parse::<ThemeName>().unwrap(),
            ThemeName::NeoBrutalism
        );
        assert_eq!(
            "retro_arcade".parse::<ThemeName>().unwrap(),
            ThemeName::RetroArcade
        );
        for theme in ThemeName::ALL {
            assert_eq!(theme.as_str().parse::<ThemeName>().unwrap(), theme);
            assert_eq!(serde_json::to_value(theme).unwrap(), theme.as_str());
        }
    }

    #[test]
    fn unknown_theme_is_a_clear_error() {
        let err = "solarized".parse::<ThemeName>().unwrap_err();
        assert_eq!(err.kind(), "InvalidInput");
        assert!(err.message().contains("solarized") && err.message().contains("aurora"));
    }

    #[test]
    fn aurora_matches_the_board_palette() {
        let json = serde_json::to_value(ThemeName::Aurora.state()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"theme":"aurora","colors":{"primary":"#8b5cf6","secondary":"#14b8a6","background":"#0f0a2a","foreground":"#c4b5fd"}})
        );
    }
}
