/**
 * A job's maximum spend and the price its usage is charged at (USD per million tokens). The
 * price stays NULL until known: given at creation, or resolved by maintenance from the model.
 * The partial index keeps the budget check off jobs without a budget.
 */
export const migration0004 = `
ALTER TABLE jobs ADD COLUMN budget_usd DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN input_price_per_mtok DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN output_price_per_mtok DOUBLE PRECISION;
CREATE INDEX jobs_budgeted ON jobs(status) WHERE budget_usd IS NOT NULL;
`;
