import type { ReactNode } from 'react';
import { useMe } from '../../session';

/** A console panel: its title, and the roles that may use it. */
export function Panel({
  title,
  who,
  children,
}: {
  title: string;
  who: string;
  children: ReactNode;
}) {
  const id = title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section aria-labelledby={id} className="panel">
      <h2 id={id}>{title}</h2>
      <p className="who">For {who}.</p>
      {children}
    </section>
  );
}

/** The signed-in user, and whether finance's own actions are theirs to take. */
export function useRoles() {
  const me = useMe();
  return { me, isFinance: me.roles.includes('finance') };
}
