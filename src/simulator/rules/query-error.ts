/** A 400 for one query parameter; the detail goes to the client verbatim. */
export class QueryError extends Error {
  constructor(
    readonly parameter: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'QueryError';
  }
}
