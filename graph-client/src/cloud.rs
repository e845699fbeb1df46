//! National clouds and their hosts (graph-reference.md section 7).

use std::fmt;
use std::str::FromStr;

/// The Microsoft cloud the tenant lives in (`GRAPH_CLOUD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Cloud {
    /// Global Azure, also GCC.
    #[default]
    Global,
    /// US Government L4 (GCC High).
    UsGovL4,
    /// US Government L5 (DoD).
    UsGovL5,
    /// China, operated by 21Vianet: the dial-out report is not offered there.
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::UsGovL4, Cloud::UsGovL5, Cloud::China];

    /// The `GRAPH_CLOUD` value naming this cloud.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovL4 => "usgov-l4",
            Cloud::UsGovL5 => "usgov-l5",
            Cloud::China => "china",
        }
    }

    /// The identity platform's host (token authority).
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovL4 | Cloud::UsGovL5 => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The Microsoft Graph endpoint.
    pub fn graph_endpoint(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5 => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// Whether `getPstnOnlineMeetingDialoutReport` exists in this cloud.
    pub fn offers_dialout_report(self) -> bool {
        self != Cloud::China
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cloud {
    type Err = String;

    /// Accepts the `GRAPH_CLOUD` names, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Cloud::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                format!(
                    "unknown cloud {wanted:?}: expected one of global, usgov-l4, usgov-l5, china"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_name_and_refuses_others() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.name().parse::<Cloud>(), Ok(cloud));
            assert_eq!(cloud.name().to_uppercase().parse::<Cloud>(), Ok(cloud));
        }
        assert!("usgov".parse::<Cloud>().unwrap_err().contains("usgov-l4"));
        assert!("".parse::<Cloud>().is_err());
    }

    #[test]
    fn hosts_follow_the_reference() {
        assert_eq!(
            Cloud::UsGovL5.graph_endpoint(),
            "https://dod-graph.microsoft.us"
        );
        assert_eq!(
            Cloud::UsGovL5.authority_host(),
            "https://login.microsoftonline.us"
        );
        assert!(!Cloud::China.offers_dialout_report());
        assert!(Cloud::Global.offers_dialout_report());
    }
}
