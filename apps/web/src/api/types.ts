/**
 * Shapes of answers the OpenAPI document does not describe yet. Each is
 * what the route returns today; the generated types take over as the
 * document gains them.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TrialBalance {
  lines: { currency: string; debitsMinor: string; creditsMinor: string; balanced: boolean }[];
  balanced: boolean;
}

export interface Problem {
  statusCode?: number;
  status?: number;
  error?: string;
  code?: string;
  message?: string | string[];
  detail?: string;
  details?: unknown;
}
