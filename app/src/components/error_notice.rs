//! The error state: what went wrong, in the page's language, with Graph's own message and the
//! request id an administrator can quote to Microsoft.
use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{Locale, Msg, use_locale};
use crate::query::PageError;

/// What the notice says: its title, a sentence in the page's language, and the server's own
/// words (English, for an administrator) where they add something.
struct Notice {
    title: Msg,
    message: String,
    details: Option<String>,
    code: Option<String>,
    request_id: Option<String>,
}

fn notice(locale: Locale, error: PageError) -> Notice {
    let plain = |title: Msg, message: String, details: Option<String>| Notice {
        title,
        message,
        details,
        code: None,
        request_id: None,
    };
    let error = match error {
        PageError::Range(range) => {
            return plain(
                Msg::InvalidRange,
                locale.t(range.message()).to_string(),
                None,
            );
        }
        PageError::App(error) => error,
    };
    let said = |msg: Msg| locale.t(msg).to_string();
    match error {
        // Graph's words are Graph's: shown as it sent them.
        AppError::Graph {
            message,
            code,
            request_id,
        } => Notice {
            title: Msg::ErrorTitle,
            message: format!("Microsoft Graph: {message}"),
            details: None,
            code,
            request_id,
        },
        AppError::NoDialout { user_id, range } => {
            plain(Msg::ErrorTitle, locale.no_dialout(&user_id, range), None)
        }
        AppError::StillLoading { .. } => plain(Msg::ErrorTitle, said(Msg::ErrorStillLoading), None),
        AppError::TooManyRequests {
            retry_after_secs, ..
        } => plain(
            Msg::ErrorTitle,
            locale.too_many_requests(retry_after_secs),
            None,
        ),
        AppError::NotFound(details) => plain(Msg::ErrorTitle, said(Msg::NotFound), Some(details)),
        AppError::BadRequest(details) => {
            plain(Msg::ErrorTitle, said(Msg::ErrorBadRequest), Some(details))
        }
        AppError::SignInRequired(_) => plain(Msg::ErrorTitle, said(Msg::ErrorSignIn), None),
        AppError::Forbidden(_) => plain(Msg::ErrorTitle, said(Msg::ErrorForbidden), None),
        AppError::Transport(details) => {
            plain(Msg::ErrorTitle, said(Msg::ErrorTransport), Some(details))
        }
        AppError::Internal(details) => {
            plain(Msg::ErrorTitle, said(Msg::ErrorServer), Some(details))
        }
        AppError::StoreUnavailable(details) => {
            plain(Msg::ErrorTitle, said(Msg::ErrorStore), Some(details))
        }
    }
}

#[component]
pub fn ErrorNotice(error: PageError) -> impl IntoView {
    let locale = use_locale();
    let Notice {
        title,
        message,
        details,
        code,
        request_id,
    } = notice(locale, error);
    view! {
        <div class="error" role="alert" data-testid="error">
            <p class="error-title">{locale.t(title)}</p>
            <p data-testid="error-message">{message}</p>
            {details
                .map(|details| {
                    view! {
                        <p class="request-id">
                            {locale.t(Msg::ErrorDetails)} ": " <code>{details}</code>
                        </p>
                    }
                })}
            {code
                .map(|code| {
                    view! {
                        <p class="request-id">
                            {locale.t(Msg::ErrorCode)} ": " <code>{code}</code>
                        </p>
                    }
                })}
            {request_id
                .map(|id| {
                    view! {
                        <p class="request-id" data-testid="request-id">
                            {locale.t(Msg::RequestId)} ": " <code>{id}</code>
                        </p>
                    }
                })}
        </div>
    }
}
