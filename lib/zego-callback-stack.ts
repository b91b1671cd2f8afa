import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Key } from 'aws-cdk-lib/aws-kms';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { type App, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib/core';
import type { Construct } from 'constructs';
import { namesWhere, readSettings, type Values } from '../lambda/settings.js';
import { unknownKeys } from './props.js';
import { ReferenceConsumer } from './reference-consumer.js';
import { ZegoCallbackMonitoring } from './zego-callback-monitoring.js';
import { ZegoCallbackReceiver } from './zego-callback-receiver.js';

const CONTEXT_KEYS = namesWhere({ context: true });
export type StackSettings = Values<(typeof CONTEXT_KEYS)[number]>;

export class InvalidContextError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidContextError';
  }
}

/** The stack's settings from CDK context (`cdk.json`, `-c key=value`), checked at synth: a typo
 * fails `cdk synth` naming the key rather than deploying a stack that refuses every callback. */
export function readContext(app: App): StackSettings {
  const { values, problems } = readSettings(CONTEXT_KEYS, (key) => app.node.tryGetContext(key));
  // Keys with a colon are the CDK's own (feature flags, aws:cdk:*).
  const keys = Object.keys(app.node.getAllContext()).filter((key) => !key.includes(':'));
  const what = 'a context key of this stack';
  const unknown = unknownKeys(keys, CONTEXT_KEYS, what, ' (README: Configuration)');
  // The two build one prop, hostedZone; a refused one reads as unset, so not twice reported.
  const { hostedZoneId, hostedZoneName } = values;
  if (problems.length === 0 && (hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
    problems.push('hostedZoneId and hostedZoneName must be set together');
  }
  if (unknown.length + problems.length > 0)
    throw new InvalidContextError([...unknown, ...problems]);
  return values;
}

export interface ZegoCallbackStackProps extends StackProps {
  readonly settings: StackSettings;
}

/** The receiver, its monitoring and (optionally) the reference consumer, from CDK context. */
export class ZegoCallbackStack extends Stack {
  readonly receiver: ZegoCallbackReceiver;
  readonly monitoring: ZegoCallbackMonitoring;
  readonly consumer?: ReferenceConsumer;

  constructor(scope: Construct, id: string, props: ZegoCallbackStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const { callbackSecretArn, certificateArn, encryptionKeyArn } = settings;
    const { hostedZoneId, hostedZoneName } = settings;
    const propsOf = (construct: 'receiver' | 'monitoring') =>
      Object.fromEntries(
        namesWhere({ prop: construct, context: true }).map((n) => [n, settings[n]]),
      );
    // From ARNs and IDs alone: no lookup, so synth needs no AWS credentials.
    this.receiver = new ZegoCallbackReceiver(this, 'Receiver', {
      ...propsOf('receiver'),
      callbackSecret: callbackSecretArn
        ? Secret.fromSecretCompleteArn(this, 'CallbackSecret', callbackSecretArn)
        : undefined,
      certificate: certificateArn
        ? Certificate.fromCertificateArn(this, 'CallbackCertificate', certificateArn)
        : undefined,
      hostedZone:
        hostedZoneId && hostedZoneName
          ? HostedZone.fromHostedZoneAttributes(this, 'CallbackZone', {
              hostedZoneId,
              zoneName: hostedZoneName,
            })
          : undefined,
      encryptionKey: encryptionKeyArn ? Key.fromKeyArn(this, 'Key', encryptionKeyArn) : undefined,
    });
    this.monitoring = new ZegoCallbackMonitoring(this, 'Monitoring', {
      ...propsOf('monitoring'),
      receiver: this.receiver,
    });
    if (settings.referenceConsumer) {
      this.consumer = new ReferenceConsumer(this, 'ReferenceConsumer', {
        queue: this.receiver.queue,
        logRetentionDays: settings.logRetentionDays,
        tracing: settings.tracing,
        encryptionKey: this.receiver.encryptionKey,
      });
    }
    this.addOutputs();
  }

  /** What a user needs after `cdk deploy`, under stable names. */
  private addOutputs(): void {
    const { callbackUrl, queue, quarantineQueue, secret, deadLetterQueue } = this.receiver;
    const { dashboardName } = this.monitoring.dashboard;
    const outputs: Record<string, [string, string]> = {
      CallbackUrl: [
        callbackUrl,
        'Paste into ZEGOCLOUD Admin Console > Project Configuration > Service Management > In-app Chat > call invitation callbacks',
      ],
      QueueUrl: [queue.queueUrl, 'The FIFO queue your consumers read'],
      QueueArn: [queue.queueArn, 'ARN of the callback queue'],
      QuarantineQueueUrl: [
        quarantineQueue.queueUrl,
        'Signed callbacks this version could not use, kept raw: read after an upgrade and send them through again',
      ],
      CallbackSecretArn: [secret.secretArn, 'Put the ZEGOCLOUD CallbackSecret in this secret'],
      DashboardName: [dashboardName, 'CloudWatch dashboard of the callbacks'],
    };
    if (deadLetterQueue) {
      const failed = 'Messages your consumers failed to process 5 times';
      outputs.DeadLetterQueueUrl = [deadLetterQueue.queueUrl, failed];
    }
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
