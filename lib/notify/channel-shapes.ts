/**
 * The fields Teams and Slack require of an incoming-webhook message, as their documentation states
 * them, as zod schemas: the unit tests check the builders against them, and the integration test
 * checks what a webhook receiver actually got. Only the parts AKS JIT uses are described.
 */
import { z } from "zod";

const nonEmpty = z.string().min(1);
const absoluteUrl = z.url({ protocol: /^https?$/ });

// Adaptive Cards 1.4 (adaptivecards.io/explorer) inside a Teams message with an attachment.
const ZTextBlock = z.object({ type: z.literal("TextBlock"), text: nonEmpty, wrap: z.boolean().optional() });
const ZFactSet = z.object({
  type: z.literal("FactSet"),
  facts: z.array(z.object({ title: nonEmpty, value: z.string() })).min(1),
});
const ZOpenUrl = z.object({ type: z.literal("Action.OpenUrl"), title: nonEmpty, url: absoluteUrl });

export const ZTeamsWebhookMessage = z.object({
  type: z.literal("message"),
  attachments: z
    .array(
      z.object({
        contentType: z.literal("application/vnd.microsoft.card.adaptive"),
        content: z.object({
          type: z.literal("AdaptiveCard"),
          version: z.literal("1.4"),
          body: z.array(z.union([ZTextBlock, ZFactSet])).min(1),
          actions: z.array(ZOpenUrl).min(1),
        }),
      }),
    )
    .length(1),
});

// Slack Block Kit (api.slack.com/reference/block-kit/blocks): text limits and counts included.
const ZPlainText = z.object({ type: z.literal("plain_text"), text: z.string().min(1).max(150) });
const ZMrkdwn = z.object({ type: z.literal("mrkdwn"), text: z.string().min(1).max(3000) });
const ZFieldText = z.object({ type: z.literal("mrkdwn"), text: z.string().min(1).max(2000) });
const ZBlock = z.discriminatedUnion("type", [
  z.object({ type: z.literal("header"), text: ZPlainText }),
  z
    .object({
      type: z.literal("section"),
      text: ZMrkdwn.optional(),
      fields: z.array(ZFieldText).min(1).max(10).optional(),
    })
    .refine((section) => section.text || section.fields, { message: "a section needs text or fields" }),
  z.object({
    type: z.literal("actions"),
    elements: z
      .array(
        z.object({
          type: z.literal("button"),
          text: ZPlainText.extend({ text: z.string().min(1).max(75) }),
          url: absoluteUrl.max(3000),
          style: z.enum(["primary", "danger"]).optional(),
        }),
      )
      .min(1)
      .max(25),
  }),
]);

export const ZSlackWebhookMessage = z.object({
  /** the fallback shown in notifications */
  text: nonEmpty,
  blocks: z.array(ZBlock).min(1).max(50),
});

export const ZGraphSendMail = z.object({
  message: z.object({
    subject: nonEmpty,
    body: z.object({ contentType: z.enum(["Text", "HTML"]), content: nonEmpty }),
    toRecipients: z
      .array(z.object({ emailAddress: z.object({ address: z.email(), name: z.string().optional() }) }))
      .min(1),
  }),
  saveToSentItems: z.boolean().optional(),
});
