import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StackSettings } from './context.js';
import { ReferenceConsumer } from './reference-consumer.js';
import { ZegoCallbackMonitoring } from './zego-callback-monitoring.js';
import { type CallbackDomainProps, ZegoCallbackReceiver } from './zego-callback-receiver.js';

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
    const logRetention = settings.logRetentionDays as RetentionDays;
    this.receiver = new ZegoCallbackReceiver(this, 'Receiver', {
      appId: settings.appId,
      forwardEvents: settings.forwardEvents,
      forwardUnknownEvents: settings.forwardUnknownEvents,
      replayGuard: settings.replayGuard,
      signatureToleranceSeconds: settings.signatureToleranceSeconds,
      previousSecretHours: settings.previousSecretHours,
      callbackSecret: settings.callbackSecretArn
        ? Secret.fromSecretCompleteArn(this, 'CallbackSecret', settings.callbackSecretArn)
        : undefined,
      logRetention,
      throttle: { rateLimit: settings.throttleRateLimit, burstLimit: settings.throttleBurstLimit },
      memorySize: settings.memorySize,
      logLevel: settings.logLevel,
      customDomain: this.customDomain(settings),
    });
    this.monitoring = new ZegoCallbackMonitoring(this, 'Monitoring', {
      receiver: this.receiver,
      alarmEmail: settings.alarmEmail,
      noCallbacksAlarmMinutes: settings.noCallbacksAlarmMinutes,
      oldestMessageAlarmSeconds: settings.oldestMessageAlarmSeconds,
    });
    if (settings.referenceConsumer) {
      this.consumer = new ReferenceConsumer(this, 'ReferenceConsumer', {
        queue: this.receiver.queue,
        logRetention,
      });
    }
    this.addOutputs();
  }

  /** From ARNs and IDs alone: no lookup, so synth needs no AWS credentials. */
  private customDomain(settings: StackSettings): CallbackDomainProps | undefined {
    const { domainName, certificateArn, hostedZoneId, hostedZoneName } = settings;
    if (domainName === undefined || certificateArn === undefined) return undefined;
    return {
      domainName,
      keepExecuteApiEndpoint: settings.keepExecuteApiEndpoint,
      certificate: Certificate.fromCertificateArn(this, 'CallbackCertificate', certificateArn),
      hostedZone:
        hostedZoneId === undefined || hostedZoneName === undefined
          ? undefined
          : HostedZone.fromHostedZoneAttributes(this, 'CallbackZone', {
              hostedZoneId,
              zoneName: hostedZoneName,
            }),
    };
  }

  /** What a user needs after `cdk deploy`, under stable names. */
  private addOutputs(): void {
    const { receiver } = this;
    const outputs: Record<string, [string, string]> = {
      CallbackUrl: [
        receiver.callbackUrl,
        'Paste into ZEGOCLOUD Admin Console > Project Configuration > Service Management > In-app Chat > call invitation callbacks',
      ],
      QueueUrl: [receiver.queue.queueUrl, 'The FIFO queue your consumers read'],
      QueueArn: [receiver.queue.queueArn, 'ARN of the callback queue'],
      QuarantineQueueUrl: [
        receiver.quarantineQueue.queueUrl,
        'Signed callbacks this version could not use, kept raw: read after an upgrade and send them through again',
      ],
      CallbackSecretArn: [
        receiver.secret.secretArn,
        'Put the ZEGOCLOUD CallbackSecret in this secret',
      ],
      DashboardName: [
        this.monitoring.dashboard.dashboardName,
        'CloudWatch dashboard of the callbacks',
      ],
    };
    if (receiver.deadLetterQueue) {
      outputs.DeadLetterQueueUrl = [
        receiver.deadLetterQueue.queueUrl,
        'Messages your consumers failed to process 5 times',
      ];
    }
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
