/**
 * The library entry point, for using the receiver inside another CDK app or typing a consumer:
 *
 *   import { ZegoCallbackReceiver, parseCallbackMessage } from 'zego-callback-queue/lib/index.js';
 */

export { SETTINGS } from '../config/settings.js';
export type {
  CallAnswer,
  CallCancel,
  CallCreate,
  CallEvent,
  CallTimeout,
  RawValue,
  UnknownEvent,
} from '../lambda/core/callback.js';
export { CALL_EVENTS } from '../lambda/core/callback.js';
export {
  type CallAcceptedMessage,
  type CallbackMessage,
  type CallCancelledMessage,
  type CallCreatedMessage,
  type CallInvitedMessage,
  type CallRejectedMessage,
  type CallTimedOutMessage,
  callbackMessageSchema,
  InvalidMessageError,
  type ParsedMessage,
  parseCallbackMessage,
  type UnknownEventMessage,
} from '../lambda/core/contract.js';
export { InvalidPropsError } from './props.js';
export { QUEUE_SETTINGS } from './queue-settings.js';
export { ReferenceConsumer, type ReferenceConsumerProps } from './reference-consumer.js';
export {
  ZegoCallbackMonitoring,
  type ZegoCallbackMonitoringProps,
} from './zego-callback-monitoring.js';
export {
  type CallbackDomainProps,
  HANDLER_BUNDLING,
  ZegoCallbackReceiver,
  type ZegoCallbackReceiverProps,
} from './zego-callback-receiver.js';
