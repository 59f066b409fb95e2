import type { FakeInvocationType } from "./fake-batch-record.js";

/** One batch inference job as the fake keeps it. */
export interface FakeJob {
  arn: string;
  /** The ARN's last segment: the folder Bedrock writes the job's output under. */
  id: string;
  jobName: string;
  modelId: string;
  roleArn: string;
  clientRequestToken: string | undefined;
  status: string;
  message: string | undefined;
  submitTime: Date;
  lastModifiedTime: Date;
  endTime: Date | undefined;
  inputUri: string;
  outputUri: string;
  invocationType: FakeInvocationType;
  timeoutDurationInHours: number;
  totalRecordCount: number | undefined;
  processedRecordCount: number | undefined;
  successRecordCount: number | undefined;
  errorRecordCount: number | undefined;
  /** Pending lifecycle steps by their timer, cleared when the job is stopped. */
  timers: Map<NodeJS.Timeout, () => Promise<void>>;
  /** Its turnaround was cut short (`endInFlight`): its remaining steps run at once. */
  hurried: boolean;
}

export const IN_FLIGHT = new Set(["Submitted", "Validating", "Scheduled", "InProgress", "Stopping"]);
export const STOPPABLE = new Set(["Submitted", "Validating", "Scheduled", "InProgress"]);

/** GetModelInvocationJob's response body (also a ListModelInvocationJobs summary). */
export function jobView(job: FakeJob): Record<string, unknown> {
  const view: Record<string, unknown> = {
    jobArn: job.arn,
    jobName: job.jobName,
    modelId: job.modelId,
    clientRequestToken: job.clientRequestToken,
    roleArn: job.roleArn,
    status: job.status,
    message: job.message,
    submitTime: job.submitTime.toISOString(),
    lastModifiedTime: job.lastModifiedTime.toISOString(),
    endTime: job.endTime?.toISOString(),
    inputDataConfig: { s3InputDataConfig: { s3InputFormat: "JSONL", s3Uri: job.inputUri } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: job.outputUri } },
    timeoutDurationInHours: job.timeoutDurationInHours,
    jobExpirationTime: new Date(
      job.submitTime.getTime() + job.timeoutDurationInHours * 3_600_000,
    ).toISOString(),
    modelInvocationType: job.invocationType,
    totalRecordCount: job.totalRecordCount,
    processedRecordCount: job.processedRecordCount,
    successRecordCount: job.successRecordCount,
    errorRecordCount: job.errorRecordCount,
  };
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key];
  return view;
}

/** Bedrock's job ids: 12 lowercase letters and digits. */
export function newJobId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let id = "";
  for (let i = 0; i < 12; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  return id;
}
