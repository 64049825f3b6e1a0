import { InitialSchema1764057600000 } from './1764057600000-initial-schema';

/** Every migration in order. Listed explicitly so source (jest) and dist runs see the same set. */
export const MIGRATIONS = [InitialSchema1764057600000];
