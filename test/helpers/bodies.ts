/**
 * Minimal valid job status bodies for stream tests: `body('running', { a: 'success', b: 'running' })`.
 * Progress is left out (computed like an older server would), so only statuses matter.
 */
export function body(status: string, steps: Record<string, string> = {}, id: number | string = 1): Record<string, unknown> {
  return {
    job: { id, status },
    steps: Object.entries(steps).map(([stepId, stepStatus]) => ({
      step_id: stepId,
      step_type: stepId.toUpperCase(),
      status: stepStatus,
      attempt: stepStatus === 'pending' ? 0 : 1,
    })),
  };
}
