/** Wire shapes of the Cloud Assistant answers we read (jdcloud-assistant.md §2). Every field may be absent. */
export interface JdInvocationInstance {
  instanceId?: string;
  instanceName?: string;
  status?: string;
  exitCode?: string | number;
  errorInfo?: string;
  startTime?: string;
  endTime?: string;
  output?: string;
  invokeTimes?: string;
  createTime?: string;
  updateTime?: string;
}

export interface JdInvocation {
  status?: string;
  commandId?: string;
  commandName?: string;
  invokeId?: string;
  instances?: string[];
  commandDescription?: string;
  invocationInstances?: JdInvocationInstance[];
  timeout?: string | number;
  errorInfo?: string;
  createTime?: string;
  execTime?: string;
}

export interface JdDescribeInvocationsResult {
  totalCount?: number;
  invocations?: JdInvocation[];
}

export interface JdAssistant {
  instanceId?: string;
  status?: string;
  version?: string;
  osType?: string;
  osVersion?: string;
  lastHeartBeat?: string;
}
