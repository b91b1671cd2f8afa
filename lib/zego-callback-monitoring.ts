import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  type CreateAlarmOptions,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  type MetricProps,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Duration } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { CALLBACKS_METRIC, LATENCY_METRIC, OUTCOMES, type Outcome } from '../lambda/metrics.js';
import { acknowledge } from './function.js';
import { InvalidPropsError, readProps } from './props.js';
import type { ZegoCallbackReceiver } from './zego-callback-receiver.js';

export interface ZegoCallbackMonitoringProps {
  /** The receiver to watch. */
  readonly receiver: ZegoCallbackReceiver;
  /** E-mail for alarm and OK notifications (an SNS topic). @default - none: CloudWatch only */
  readonly alarmEmail?: string;
  /** Alarm when no callback at all arrived for this many minutes (the URL is probably not configured
   * in the ZEGOCLOUD console); 0 for none. Quiet hours are normal for many apps. @default 0 - no such alarm */
  readonly noCallbacksAlarmMinutes?: number;
  /** Alarm when the oldest message on the callback queue is older than this, in s. @default 900 */
  readonly oldestMessageAlarmSeconds?: number;
}

const FIVE_MINUTES = Duration.minutes(5);
type AlarmOptions = Partial<CreateAlarmOptions> & { readonly alarmDescription: string };

/** Alarms and a dashboard; each alarm's description is its runbook entry (docs/operations.md). */
export class ZegoCallbackMonitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: ZegoCallbackMonitoringProps) {
    super(scope, id);
    const { receiver } = props;
    const { values: settings, problems } = readProps('monitoring', props, { receiver: true });
    if (problems.length > 0) throw new InvalidPropsError('ZegoCallbackMonitoring', problems);
    const metric = (metricName: string, more: Partial<MetricProps>) =>
      new Metric({
        namespace: receiver.metricsNamespace,
        metricName,
        period: FIVE_MINUTES,
        ...more,
      });
    const callbacks = (dimensionsMap: Record<string, string>, period = FIVE_MINUTES) =>
      metric(CALLBACKS_METRIC, { dimensionsMap, statistic: 'Sum', period });
    const byOutcome = (outcome: Outcome) => callbacks({ outcome });
    const perMinute = { period: Duration.minutes(1), statistic: 'Maximum' };

    if (settings.alarmEmail) {
      const key = receiver.encryptionKey;
      this.topic = new Topic(this, 'AlarmTopic', {
        displayName: 'ZEGOCLOUD callback alarms',
        enforceSSL: true,
        masterKey: key,
      });
      // CloudWatch publishes the alarms: to an encrypted topic, with the key's permission.
      const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
      key?.grant(cloudWatch, 'kms:Decrypt', 'kms:GenerateDataKey*');
      this.topic.addSubscription(new EmailSubscription(settings.alarmEmail));
      acknowledge(this.topic, {
        'NIST.800.53.R5-SNSEncryptedKMS HIPAA.Security-SNSEncryptedKMS PCI.DSS.321-SNSEncryptedKMS':
          !key &&
          "A notification holds an alarm's name, state and reason, nothing of a callback; with the receiver's `encryptionKey` the topic is encrypted with it.",
        'Serverless-SNSRedrivePolicy':
          'A notification copies an alarm state that CloudWatch keeps and the dashboard shows: an e-mail SNS fails to deliver loses neither a callback nor an alarm.',
      });
    }

    /** Fires on a first datapoint at or above 1 by default; missing data is not breaching. */
    const alarm = (name: string, metric: IMetric, options: AlarmOptions) => {
      const periods = options.evaluationPeriods ?? 1;
      const created = new Alarm(this, name, {
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        ...options,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
      });
      if (this.topic) {
        created.addAlarmAction(new SnsAction(this.topic));
        created.addOkAction(new SnsAction(this.topic));
      }
      this.alarms.push(created);
    };

    alarm('SignatureRefusals', callbacks({ outcome: 'refused', reason: 'signature' }), {
      threshold: 5,
      evaluationPeriods: 3,
      alarmDescription:
        'Callbacks refused for a bad signature, 5 or more in each of 3 consecutive 5-minute periods. Either the CallbackSecret in Secrets Manager differs from the one in the ZEGOCLOUD console (genuine events are being lost: compare them first; docs/operations.md, A wrong secret), or someone is probing the URL (check the source IPs in the API access log).',
    });
    alarm('FailedCallbacks', byOutcome('failed'), {
      alarmDescription:
        'Callbacks answered 5xx. ZEGOCLOUD retries for about 62 s, then drops the event. The handler log lines with outcome "failed" give reason and cause: enqueue_failed (SQS refused or timed out), quarantine_failed (the quarantine queue), not_configured (the secret unset, or settings invalid), secret_unavailable (Secrets Manager unreachable and nothing cached), guard_failed (the replay guard\'s table), internal (a bug).',
    });
    alarm('HandlerErrors', receiver.handler.metricErrors({ period: FIVE_MINUTES }), {
      alarmDescription:
        'The callback function crashed or timed out (it answers every callback itself, so this is a bug or a timeout). Check its log group for the error; ZEGOCLOUD gets a 5xx and retries.',
    });
    alarm('HandlerThrottles', receiver.handler.metricThrottles({ period: FIVE_MINUTES }), {
      alarmDescription:
        'Lambda throttled the callback function (account or function concurrency limit): ZEGOCLOUD got 5xx and retries. Check the account concurrency and other functions using it.',
    });
    alarm('Api5xx', receiver.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), {
      alarmDescription:
        'The callback API answered 5xx. Compare with FailedCallbacks and HandlerErrors; the API access log has the integration error for each request.',
    });
    alarm('QuarantinedCallbacks', byOutcome('quarantined'), {
      alarmDescription:
        'A signed, fresh callback for the right AppID had fields this version cannot use (ZEGOCLOUD renamed or retyped one, or changed an event): it was answered 200 and kept, raw, on the quarantine queue with the reason and the path of the problem, rather than lost. Read the quarantine queue (stack output QuarantineQueueUrl) first: each message says which field. Then upgrade the receiver and send them through again (docs/operations.md, Quarantined callbacks).',
    });
    const { deadLetterQueue, queue } = receiver;
    if (deadLetterQueue) {
      const depth = deadLetterQueue.metricApproximateNumberOfMessagesVisible(perMinute);
      alarm('DeadLetterQueueNotEmpty', depth, {
        alarmDescription:
          'A consumer failed a message 5 times and SQS moved it to the dead-letter queue. Fix the consumer, then redrive (docs/operations.md, Redriving the dead-letter queue).',
      });
    }
    const oldest = settings.oldestMessageAlarmSeconds;
    alarm('OldestMessageAge', queue.metricApproximateAgeOfOldestMessage(perMinute), {
      threshold: oldest,
      evaluationPeriods: 3,
      alarmDescription: `A message has waited over ${oldest} s on the callback queue: consumers are stalled, too slow or not running. Messages expire after 14 days.`,
    });
    const quietMinutes = settings.noCallbacksAlarmMinutes;
    if (quietMinutes) {
      alarm('NoCallbacks', callbacks({}, Duration.minutes(quietMinutes)), {
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
        alarmDescription: `No callback at all for ${quietMinutes} minutes. Check that the CallbackUrl output is pasted in the ZEGOCLOUD Admin Console (In-app Chat > call invitation callbacks) and that calls are happening.`,
      });
    }

    const refusedByReason = new MathExpression({
      expression: `SEARCH('{${receiver.metricsNamespace},outcome,reason} outcome="refused" MetricName="Callbacks"', 'Sum', 300)`,
      label: '',
      period: FIVE_MINUTES,
    });
    const latency = (statistic: string) =>
      metric(LATENCY_METRIC, { statistic, label: `handler ${statistic}` });
    const graph = (title: string, left: IMetric[], width = 12, right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width });
    const parked = (title: string, queue: IQueue) =>
      graph(title, [queue.metricApproximateNumberOfMessagesVisible({ label: 'messages' })], 6);
    const outcomes = OUTCOMES.map((outcome) => byOutcome(outcome).with({ label: outcome }));
    const waiting = queue.metricApproximateNumberOfMessagesVisible({ label: 'waiting' });
    const inFlight = queue.metricApproximateNumberOfMessagesNotVisible({ label: 'in flight' });
    const oldestAge = queue.metricApproximateAgeOfOldestMessage({ label: 'oldest (s)' });
    this.dashboard = new Dashboard(this, 'Dashboard');
    this.dashboard.addWidgets(
      graph('Callbacks by outcome', outcomes),
      graph('Refused callbacks by reason', [refusedByReason]),
    );
    this.dashboard.addWidgets(
      graph('Handler latency (ms)', [latency('p50'), latency('p99')]),
      graph('Callback queue', [waiting, inFlight], 12, [oldestAge]),
    );
    this.dashboard.addWidgets(
      ...(deadLetterQueue ? [parked('Dead-letter queue depth', deadLetterQueue)] : []),
      parked('Quarantine queue depth', receiver.quarantineQueue),
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
  }
}
