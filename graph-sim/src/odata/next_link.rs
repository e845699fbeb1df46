//! The next page's link in a page's JSON, under the key `--next-link-key` names.

use serde::Serialize;

use crate::config::NextLinkKey;

/// `@odata.nextLink` or `@odata.NextLink` (`#[serde(flatten)]` it into a page): at most one of
/// the two is set, because serde's keys are fixed at compile time.
#[derive(Serialize)]
pub struct NextLinkJson<'a> {
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    examples: Option<&'a str>,
    #[serde(rename = "@odata.NextLink", skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

impl<'a> NextLinkJson<'a> {
    pub fn new(link: Option<&'a str>, key: NextLinkKey) -> Self {
        match key {
            NextLinkKey::Examples => Self {
                examples: link,
                text: None,
            },
            NextLinkKey::Text => Self {
                examples: None,
                text: link,
            },
        }
    }
}
