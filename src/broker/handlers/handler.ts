/**
 * The request-handler contract of the broker, after franz-go's kfake: one file per API under
 * src/broker/handlers/, named `<api key>-<api name>.ts` (00-produce.ts, 01-fetch.ts, ...), each
 * opening with what it serves and where it departs from Kafka, and one registry (index.ts)
 * mapping ApiName → handler. The directory listing is the broker's feature matrix.
 *
 *   export const handleProduce: Handler<ProduceRequest, ProduceResponse> = (broker, request, respond) => { ... };
 *
 * - `broker` is the BrokerServices facade (services.ts): the only way into the broker.
 * - `request` is the envelope as it arrived (api, correlationId, clientId, body).
 * - `respond(body)` sends the response to the requester. It may be called later (purgatory:
 *   acks=all, Fetch long polls, a forwarded CreateTopics), at most once (later calls are
 *   ignored), and not at all when the API sends no response (Produce with acks=0). A response
 *   is dropped silently if the broker process died meanwhile, as a dead TCP connection would.
 * - Handlers never throw for bad input: a problem Kafka describes is an error code in the
 *   response. An exception is a broker bug and stops the simulation.
 */
import type { RequestEnvelope } from "../../protocol";
import type { BrokerServices } from "../services";

export type Respond<Res> = (body: Res) => void;

export type Handler<Req = unknown, Res = unknown> = (
  broker: BrokerServices,
  request: RequestEnvelope<Req>,
  respond: Respond<Res>,
) => void;

/** A handler with its types erased, as the registry stores it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = Handler<any, any>;
