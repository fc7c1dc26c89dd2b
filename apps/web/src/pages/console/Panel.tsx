import type { ReactNode } from 'react';

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
