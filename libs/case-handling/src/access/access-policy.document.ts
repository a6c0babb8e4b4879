import { CASE_ACCESS_RULES } from './case-access.policy';
import { CASE_RELATIONS, rolesOf, type CaseRelation } from './case-relation';

const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|');

/**
 * The access policy as a reviewer reads it: docs/access-policy.md, written by `npm run openapi`
 * from the rows the code enforces (a unit test fails when the file is not current).
 */
export function renderAccessPolicy(): string {
  const rows = Object.values(CASE_ACCESS_RULES).map(
    (rule) =>
      `| ${code(rule.operation)} | ${rule.allowed.map(code).join(', ')} | ${rolesOf(rule).join(', ')} | ${cell(rule.why)} |`,
  );
  const relations = (Object.keys(CASE_RELATIONS) as CaseRelation[]).map(
    (relation) =>
      `| ${code(relation)} | ${CASE_RELATIONS[relation].roles.join(', ')} | ${cell(CASE_RELATIONS[relation].meaning)} |`,
  );
  return [
    '# Who may do what to which case',
    '',
    '<!-- Written by `npm run openapi` from libs/case-handling (CASE_ACCESS_RULES); do not edit by hand. -->',
    '',
    'The one access policy of the case context (ADR 0011, ADR 0015). Every command and every single-case read ' +
      'is decided from the caller (role, id, org unit) and the case as replayed, before its state: a case ' +
      'outside the caller’s scope answers exactly like one that does not exist (404 `case.not_found`), a ' +
      'refused command appends nothing, and in scope without a relation the row names the answer is 403. ' +
      'Each row lives in its use case’s folder (`libs/case-handling/src/<use-case>/<use-case>.policy.ts`); a ' +
      'route is open to the roles that can hold a relation of its row. The list queries apply the same ' +
      'scope in SQL, checked equal by a differential test.',
    '',
    '| Operation | Allowed to (any of) | Roles | Why |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '## Relations',
    '',
    'Each is a fact about the replayed case and the caller, nothing else.',
    '',
    '| Relation | Held by | Meaning |',
    '| --- | --- | --- |',
    ...relations,
    '',
  ].join('\n');
}
