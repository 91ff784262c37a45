//! Turning a conversation into the prompt text a model expects, with the chat template the
//! model carries in its GGUF header.

use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};

use flow_core::AppError;
use flow_core::llm::ChatMessage;

/// The templated prompt, ending where the assistant's answer begins.
pub fn render(model: &LlamaModel, messages: &[ChatMessage]) -> Result<String, AppError> {
    if messages.is_empty() {
        return Err(AppError::InvalidInput(
            "a chat request needs at least one message".into(),
        ));
    }
    let chat = messages
        .iter()
        .map(|m| {
            LlamaChatMessage::new(m.role.as_str().to_owned(), m.content.clone()).map_err(|_| {
                AppError::InvalidInput("a chat message may not contain a NUL character".into())
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    match model.chat_template(None) {
        Ok(template) => model
            .apply_chat_template(&template, &chat, true)
            .map_err(|e| AppError::Internal(format!("applying the model's chat template: {e}"))),
        // Base models carry no template (the Gemma 3 270M test model is one): a plain
        // transcript still gives them a place to answer. Guessing the family's template
        // from its turn tokens gave that base model worse answers when tried.
        Err(_) => Ok(plain_transcript(messages)),
    }
}

/// `Role: content` lines ending with `Assistant:`, for models without a chat template.
pub fn plain_transcript(messages: &[ChatMessage]) -> String {
    let mut out = String::new();
    for m in messages {
        let role = m.role.as_str();
        let mut chars = role.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
        out.push_str(": ");
        out.push_str(&m.content);
        out.push('\n');
    }
    out.push_str("Assistant:");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flow_core::llm::ChatRole;

    #[test]
    fn a_plain_transcript_ends_where_the_assistant_answers() {
        let text = plain_transcript(&[
            ChatMessage {
                role: ChatRole::System,
                content: "Be brief.".into(),
            },
            ChatMessage {
                role: ChatRole::User,
                content: "Hi".into(),
            },
        ]);
        assert_eq!(text, "System: Be brief.\nUser: Hi\nAssistant:");
    }
}
