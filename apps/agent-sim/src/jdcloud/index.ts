import { JdAdminController } from './jd-admin.controller';
import { JdAssistantService } from './jd-assistant.service';
import { JdAuthService } from './jd-auth';
import { JdController } from './jd.controller';
import { JdState } from './jd-state';
import { JdVmService } from './jd-vm.service';

/** The JD Cloud front end, registered by AgentSimModule beside the SSM one. */
export const JDCLOUD_CONTROLLERS = [JdController, JdAdminController];
export const JDCLOUD_PROVIDERS = [JdState, JdAuthService, JdAssistantService, JdVmService];
export { JdState } from './jd-state';
export type { JdSimConfig } from './jd-sim-config';
