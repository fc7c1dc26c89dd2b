import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { components } from '../../api/openapi';
import { explain, useProblem } from '../../errors';
import { Field, FormError } from '../../ui';
import { PagedList, usePagedList } from './PagedList';
import { Panel } from './Panel';

type Summary = components['schemas']['DeadLetterSummaryDto'];
type DeadLetter = components['schemas']['DeadLetterDto'];

/**
 * Jobs that used up their attempts, newest first, a page at a time. One can
 * be opened to read its payload and put back in its queue with a reason.
 */
export function DeadLettersPanel() {
  const [problem, setProblem] = useState<string>();
  const [open, setOpen] = useState<DeadLetter | null>(null);
  const [notice, setNotice] = useState<string>();
  const list = usePagedList<Summary>(async (cursor) => {
    const { data, error, response } = await api.GET('/admin/jobs/dead-letters', {
      params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } },
    });
    return data ?? explain(error, response.status).text;
  }, []);

  async function show(id: string) {
    setProblem(undefined);
    const { data, error, response } = await api.GET('/admin/jobs/dead-letters/{id}', {
      params: { path: { id } },
    });
    if (!data) return setProblem(explain(error, response.status).text);
    setOpen(data);
  }

  return (
    <Panel title="Dead-letter jobs" who="admins">
      <p role="status" data-testid="dead-letter-result">
        {notice ?? ''}
      </p>
      <PagedList
        list={list}
        what="the dead-letter jobs"
        empty="No job has failed for good."
        moreText="Older jobs"
        problem={problem}
        actions={
          <button
            type="button"
            onClick={() => {
              setProblem(undefined);
              list.reload();
            }}
          >
            Refresh
          </button>
        }
      >
        {(items) => (
          <div className="scroll">
            <table aria-label="Dead-letter jobs">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Failed at</th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <code>{j.id}</code>
                    </td>
                    <td>
                      {j.queue} ({j.name})
                    </td>
                    <td>{j.attemptsMade}</td>
                    <td>{new Date(j.failedAt).toLocaleString()}</td>
                    <td>{j.error}</td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Show dead-letter job ${j.id}`}
                        onClick={() => void show(j.id)}
                      >
                        Show
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
      {open && (
        <DeadLetterDetail
          job={open}
          onRetried={(text) => {
            setNotice(text);
            setOpen(null);
            list.reload();
          }}
        />
      )}
    </Panel>
  );
}

function DeadLetterDetail({
  job,
  onRetried,
}: {
  job: DeadLetter;
  onRetried: (text: string) => void;
}) {
  const { setProblem, fieldError, formError } = useProblem();
  const [busy, setBusy] = useState(false);

  async function retry(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
    if (!reason)
      return setProblem({
        text: 'Say why the job is retried: it is kept in the audit trail.',
        field: 'reason',
      });
    setBusy(true);
    const { data, error, response } = await api.POST('/admin/jobs/dead-letters/{id}/retry', {
      params: { path: { id: job.id } },
      body: { reason },
    });
    setBusy(false);
    if (!data) return setProblem(explain(error, response.status));
    onRetried(`Job ${data.id} is back in the ${data.queue} queue with its attempts reset.`);
  }

  return (
    <div className="detail" data-testid="dead-letter">
      <h3>Job {job.id}</h3>
      <p>
        {job.name} in {job.queue}: failed after {job.attemptsMade} attempt(s) at{' '}
        {new Date(job.failedAt).toLocaleString()} — {job.error}
      </p>
      <pre className="result">{JSON.stringify(job.payload, null, 2)}</pre>
      <form onSubmit={retry} noValidate aria-label={`Retry job ${job.id}`}>
        <Field
          label="Reason for the retry"
          name="reason"
          required
          maxLength={500}
          error={fieldError('reason')}
        />
        <FormError text={formError(['reason'])} />
        <button type="submit" disabled={busy}>
          {busy ? 'Retrying…' : 'Retry the job'}
        </button>
      </form>
    </div>
  );
}
