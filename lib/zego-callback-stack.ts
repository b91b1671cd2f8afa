import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StackSettings } from './context.js';
import { ReferenceConsumer } from './reference-consumer.js';
import { ZegoCallbackMonitoring } from './zego-callback-monitoring.js';
import { ZegoCallbackReceiver } from './zego-callback-receiver.js';

export interface ZegoCallbackStackProps extends StackProps {
  readonly settings: StackSettings;
}

export class ZegoCallbackStack extends Stack {
  readonly receiver: ZegoCallbackReceiver;
  readonly monitoring: ZegoCallbackMonitoring;
  readonly consumer?: ReferenceConsumer;

  constructor(scope: Construct, id: string, props: ZegoCallbackStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.receiver = new ZegoCallbackReceiver(this, 'Receiver', {
      appId: settings.zegoAppId,
      forwardEvents: settings.forwardEvents,
      forwardUnknownEvents: settings.forwardUnknownEvents,
      replayGuard: settings.replayGuard,
      signatureToleranceSeconds: settings.signatureToleranceSeconds,
      callbackSecret: settings.callbackSecretArn
        ? Secret.fromSecretCompleteArn(this, 'CallbackSecret', settings.callbackSecretArn)
        : undefined,
      logRetention: settings.logRetention,
      throttle: { rateLimit: settings.throttleRateLimit, burstLimit: settings.throttleBurstLimit },
      logLevel: settings.logLevel,
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
        logRetention: settings.logRetention,
      });
    }
    this.addOutputs();
    this.acknowledgeFindings();
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
      DeadLetterQueueUrl: [
        receiver.deadLetterQueue.queueUrl,
        'Messages your consumers failed to process 5 times',
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
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }

  /** Every cdk-nag finding this stack accepts, each with its reason. */
  private acknowledgeFindings(): void {
    const { receiver } = this;
    Validations.of(receiver.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        "ZEGOCLOUD cannot sign requests with IAM or present a JWT; the handler verifies ZEGOCLOUD's own signature (sha1 over secret, timestamp and nonce) and refuses anything else with 401.",
    });
    if (receiver.secret instanceof Secret) {
      Validations.of(receiver.secret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          'The CallbackSecret is issued by the ZEGOCLOUD Admin Console; AWS cannot rotate it. Rotate it there and put the new value here (README: Operations); the handler accepts AWSCURRENT and AWSPREVIOUS during the change.',
      });
    }
    if (receiver.replayTable) {
      Validations.of(receiver.replayTable).acknowledge({
        id: 'AwsSolutions::AwsSolutions-DDB3',
        reason:
          'The replay-guard table holds body digests that expire by TTL minutes after their callback (the time window plus 60 s). A point-in-time restore could only bring back records already past use, so PITR would cost money for no recovery.',
      });
    }
  }
}
