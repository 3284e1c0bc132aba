/**
 * The payload of one notification per channel, built from the channel-neutral message: Graph
 * `sendMail`, a Teams incoming webhook (an Adaptive Card 1.4 attachment, which both the Workflows
 * "Post to a channel when a webhook request is received" trigger and classic connectors accept),
 * and a Slack incoming webhook (Block Kit). Pure; the shapes are checked in channel-messages.test.ts.
 */
import type { NotificationMessage } from "./messages";

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export interface MailRecipient {
  address: string;
  name: string;
}

/** The body of `POST /users/{sender}/sendMail`: one message to one person. */
export function buildMail(message: NotificationMessage, to: MailRecipient) {
  const facts = message.facts
    .map(
      (f) =>
        `<tr><th align="left" style="padding-right:12px">${escapeHtml(f.title)}</th><td>${escapeHtml(f.value)}</td></tr>`,
    )
    .join("");
  const content = [
    `<p>${escapeHtml(message.text)}</p>`,
    `<table>${facts}</table>`,
    `<p><a href="${escapeHtml(message.url)}">${escapeHtml(message.actionTitle)}</a></p>`,
    `<p style="color:#64748b">${escapeHtml(message.url)}</p>`,
  ].join("\n");
  return {
    message: {
      subject: `[AKS JIT] ${message.title}`,
      importance: message.isUrgent ? "high" : "normal",
      body: { contentType: "HTML", content },
      toRecipients: [{ emailAddress: { address: to.address, name: to.name } }],
    },
    saveToSentItems: false,
  };
}

/**
 * Adaptive Card TextBlocks and FactSet facts are Markdown (a CommonMark subset: links, bold, italic,
 * lists), so a justification such as `[Approve here](https://evil.example)` would be a link in the
 * approvers' channel. The characters that open a link, emphasis, code, an autolink or an entity are
 * backslash-escaped wherever they are (CommonMark escapes any ASCII punctuation), and list, heading
 * and quote markers at the start of a line; `{` too, so that no text becomes an Adaptive Card
 * `{{DATE(...)}}` function. The rest (parentheses, `@`, `.`) is left alone: a few Teams clients
 * have shown escapes as backslashes. The text then shows as written.
 */
export const escapeCardMarkdown = (text: string) =>
  text
    .replace(/[\\`*_[\]<~&{]/g, "\\$&")
    .replace(/^([ \t]*)(?:([-+=#>])|(\d+)(?=[.)]))/gm, (_line, indent: string, marker?: string, digits?: string) =>
      marker ? `${indent}\\${marker}` : `${indent}${digits}\\`,
    );

/** A Teams message with one Adaptive Card: title, text, the request's facts and a button to open it. */
export function buildTeamsMessage(message: NotificationMessage) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            {
              type: "TextBlock",
              text: escapeCardMarkdown(message.title),
              weight: "Bolder",
              size: "Medium",
              wrap: true,
              ...(message.isUrgent && { color: "Attention" }),
            },
            { type: "TextBlock", text: escapeCardMarkdown(message.text), wrap: true },
            {
              type: "FactSet",
              facts: message.facts.map((f) => ({
                title: escapeCardMarkdown(f.title),
                value: escapeCardMarkdown(f.value),
              })),
            },
          ],
          actions: [{ type: "Action.OpenUrl", title: message.actionTitle, url: message.url }],
        },
      },
    ],
  };
}

/** Slack's mrkdwn gives &, < and > meaning: a justification must not turn into a link or a mention. */
const escapeSlack = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A Slack message: `text` is the notification fallback; the blocks hold the facts and a button. */
export function buildSlackMessage(message: NotificationMessage) {
  return {
    text: `${message.title}: ${message.url}`,
    blocks: [
      // Header text is plain_text, at most 150 characters.
      { type: "header", text: { type: "plain_text", text: message.title.slice(0, 150), emoji: false } },
      { type: "section", text: { type: "mrkdwn", text: escapeSlack(message.text) } },
      {
        type: "section",
        // At most 10 fields.
        fields: message.facts
          .slice(0, 10)
          .map((f) => ({ type: "mrkdwn", text: `*${escapeSlack(f.title)}*\n${escapeSlack(f.value)}` })),
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: message.actionTitle, emoji: false },
            url: message.url,
            style: message.isUrgent ? "danger" : "primary",
          },
        ],
      },
    ],
  };
}
