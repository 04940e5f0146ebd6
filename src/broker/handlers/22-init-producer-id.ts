/**
 * InitProducerId (API 22): gives an idempotent producer its producer id and epoch
 * (KafkaApis.handleInitProducerIdRequest → TransactionCoordinator.handleInitProducerId with a
 * null transactional id). As in Kafka, a request without a transactional id always gets a NEW
 * producer id with epoch 0, whatever producerId/producerEpoch it carries (KIP-360's bump of an
 * existing id only applies to transactional producers; an idempotent producer bumps its epoch
 * locally). Ids come from the broker's ProducerIdManager (producer-id-manager.ts: unique across
 * the cluster and restarts).
 *
 * Errors: COORDINATOR_LOAD_IN_PROGRESS while the broker has no broker epoch (retriable).
 * Departure: transactions are not modelled; a transactional id is refused with INVALID_REQUEST.
 */
import { Errors, type InitProducerIdRequest, type InitProducerIdResponse } from "../../protocol";
import { producerIdManager } from "../producer-id-manager";
import type { Handler } from "./handler";

export const handleInitProducerId: Handler<InitProducerIdRequest, InitProducerIdResponse> = (
  broker,
  request,
  respond,
) => {
  const req = request.body;
  if (req.transactionalId !== null && req.transactionalId !== undefined) {
    broker.trace("producer.initRefused", {
      clientId: request.clientId,
      reason: "transactions not supported",
    });
    respond({ errorCode: Errors.INVALID_REQUEST.code, producerId: -1, producerEpoch: -1 });
    return;
  }
  const r = producerIdManager(broker).generateProducerId();
  if (r.error !== Errors.NONE) {
    broker.trace("producer.initRefused", { clientId: request.clientId, error: r.error.name });
    respond({ errorCode: r.error.code, producerId: -1, producerEpoch: -1 });
    return;
  }
  broker.trace("producer.init", { clientId: request.clientId, producerId: r.producerId });
  respond({ errorCode: Errors.NONE.code, producerId: r.producerId, producerEpoch: 0 });
};
