import "server-only";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";

/**
 * OpenTelemetry traces, when OTEL_EXPORTER_OTLP_ENDPOINT names a collector: Next's own spans
 * (requests, rendering), Prisma's queries, and a client span for every attempt at Graph and ARM
 * (made where the clients record their calls, lib/cloud/call-recorder.ts, so that they appear
 * whichever HTTP stack an SDK uses and in bundles, where patching modules does not reach).
 * Returns what flushes the spans still buffered, for the drain at SIGTERM.
 */
export async function startTracing(defaultServiceName: string): Promise<() => Promise<void>> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return async () => {};
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
    ]);
  const [{ registerInstrumentations }, { PrismaInstrumentation }] = await Promise.all([
    import("@opentelemetry/instrumentation"),
    import("@prisma/instrumentation"),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? defaultServiceName }),
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, _TIMEOUT ...) itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Global: Next, Prisma and our spans all reach it through @opentelemetry/api.
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new PrismaInstrumentation()] });
  log.info({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT }, "tracing to an OTLP collector");
  return () => provider.shutdown();
}
