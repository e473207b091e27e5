// The 20 attributes of german.data with readable names and the category labels of german.doc.

/** One attribute of german.data, in file order. */
export type GermanAttribute =
  | { name: string; kind: 'numeric'; doc: string }
  | { name: string; kind: 'categorical'; doc: string; codes: Readonly<Record<string, string>> };

/** The 20 attributes in column order: 7 numeric, 13 categorical with german.doc's code labels. */
export const GERMAN_ATTRIBUTES: readonly GermanAttribute[] = [
  { name: 'checking_status', kind: 'categorical', doc: 'Status of existing checking account', codes: {
    A11: '< 0 DM', A12: '0 <= ... < 200 DM', A13: '>= 200 DM / salary assignments for at least 1 year', A14: 'no checking account' } },
  { name: 'duration_months', kind: 'numeric', doc: 'Duration in month' },
  { name: 'credit_history', kind: 'categorical', doc: 'Credit history', codes: {
    A30: 'no credits taken / all credits paid back duly', A31: 'all credits at this bank paid back duly',
    A32: 'existing credits paid back duly till now', A33: 'delay in paying off in the past',
    A34: 'critical account / other credits existing (not at this bank)' } },
  { name: 'purpose', kind: 'categorical', doc: 'Purpose', codes: {
    A40: 'car (new)', A41: 'car (used)', A42: 'furniture/equipment', A43: 'radio/television', A44: 'domestic appliances',
    A45: 'repairs', A46: 'education', A47: 'vacation', A48: 'retraining', A49: 'business', A410: 'others' } },
  { name: 'credit_amount', kind: 'numeric', doc: 'Credit amount' },
  { name: 'savings_status', kind: 'categorical', doc: 'Savings account/bonds', codes: {
    A61: '< 100 DM', A62: '100 <= ... < 500 DM', A63: '500 <= ... < 1000 DM', A64: '>= 1000 DM', A65: 'unknown / no savings account' } },
  { name: 'employment_since', kind: 'categorical', doc: 'Present employment since', codes: {
    A71: 'unemployed', A72: '< 1 year', A73: '1 <= ... < 4 years', A74: '4 <= ... < 7 years', A75: '>= 7 years' } },
  { name: 'installment_rate_pct', kind: 'numeric', doc: 'Installment rate in percentage of disposable income' },
  { name: 'personal_status_sex', kind: 'categorical', doc: 'Personal status and sex', codes: {
    A91: 'male: divorced/separated', A92: 'female: divorced/separated/married', A93: 'male: single',
    A94: 'male: married/widowed', A95: 'female: single' } },
  { name: 'other_debtors', kind: 'categorical', doc: 'Other debtors / guarantors', codes: {
    A101: 'none', A102: 'co-applicant', A103: 'guarantor' } },
  { name: 'residence_since', kind: 'numeric', doc: 'Present residence since' },
  { name: 'property', kind: 'categorical', doc: 'Property', codes: {
    A121: 'real estate', A122: 'building society savings agreement / life insurance',
    A123: 'car or other, not in attribute 6', A124: 'unknown / no property' } },
  { name: 'age_years', kind: 'numeric', doc: 'Age in years' },
  { name: 'other_installment_plans', kind: 'categorical', doc: 'Other installment plans', codes: {
    A141: 'bank', A142: 'stores', A143: 'none' } },
  { name: 'housing', kind: 'categorical', doc: 'Housing', codes: { A151: 'rent', A152: 'own', A153: 'for free' } },
  { name: 'existing_credits', kind: 'numeric', doc: 'Number of existing credits at this bank' },
  { name: 'job', kind: 'categorical', doc: 'Job', codes: {
    A171: 'unemployed / unskilled - non-resident', A172: 'unskilled - resident', A173: 'skilled employee / official',
    A174: 'management / self-employed / highly qualified employee / officer' } },
  { name: 'people_liable', kind: 'numeric', doc: 'Number of people being liable to provide maintenance for' },
  { name: 'telephone', kind: 'categorical', doc: 'Telephone', codes: { A191: 'none', A192: 'yes, registered under the customers name' } },
  { name: 'foreign_worker', kind: 'categorical', doc: 'foreign worker', codes: { A201: 'yes', A202: 'no' } },
];

/** Classes in index order: good 0 (file code 1), bad 1 (file code 2), so "bad" is the positive class. */
export const GERMAN_CLASSES = ['good', 'bad'] as const;
