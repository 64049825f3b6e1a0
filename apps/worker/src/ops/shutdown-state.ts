import { Injectable } from '@nestjs/common';

/** Set once a shutdown began: readiness turns 503 so no orchestrator routes or counts on us. */
@Injectable()
export class ShutdownState {
  stopping = false;
}
