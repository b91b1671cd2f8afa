/**
 * The constructs and their props, the message contract for consumers, the error thrown at synth:
 * `import { ZegoCallbackReceiver, parseCallbackMessage } from 'zego-callback-queue';`
 * @packageDocumentation
 */

export type { CallEvent } from '../lambda/core/callback.js';
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
  type RawValue,
  type UnknownEventMessage,
} from '../lambda/core/contract.js';
export { InvalidPropsError } from './props.js';
export { ReferenceConsumer, type ReferenceConsumerProps } from './reference-consumer.js';
export {
  ZegoCallbackMonitoring,
  type ZegoCallbackMonitoringProps,
} from './zego-callback-monitoring.js';
export { ZegoCallbackReceiver, type ZegoCallbackReceiverProps } from './zego-callback-receiver.js';
