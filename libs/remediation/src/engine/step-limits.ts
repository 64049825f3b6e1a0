/** Steps one job (or one inline advance) may take back to back before yielding to other remediations. */
export const MAX_STEPS_PER_RUN = 25;
