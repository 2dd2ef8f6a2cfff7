import { lastSegment, scopeKindOf, subscriptionOfScope } from "../azure/scopes";
import type { AccessView, Grant } from "./view";

/**
 * The access matrix: who (managing-tenant principals, managed identities) holds which role in
 * which customer's stacks, as one self-contained HTML page a manager can open from an artifact.
 * The table is rendered here (readable without JavaScript); a few inline lines filter it. The
 * page's policy forbids every network request.
 */

export interface MatrixColumn {
  stack: string;
  customer: string;
  access: AccessView;
  /** Subscription id → display name, for those the stack names. */
  subscriptionNames?: Record<string, string>;
}

interface Entry {
  role: string;
  kind: "permanent" | "eligible";
  scope: string;
  /** The offer that grants it (managing-tenant principals only). */
  offer?: string;
  detail?: string;
}

interface Row {
  label: string;
  id: string;
  what: "principal" | "managed identity";
  cells: Map<string, Entry[]>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** "subscription 0afe…" or "resource group rg-app": what a manager recognises, full id in the tooltip. */
function scopeLabel(scope: string, subscriptionNames: Record<string, string> = {}): string {
  const { kind, name } = scopeKindOf(scope);
  if (kind === "subscription") {
    const id = subscriptionOfScope(scope);
    return subscriptionNames[id] ? `subscription ${subscriptionNames[id]} (${id})` : `subscription ${id}`;
  }
  if (kind === "management group") return `management group ${name}`;
  return name ? `${kind} ${name}` : scope;
}

function jitDetail(grant: Grant): string | undefined {
  if (!grant.jit) return grant.delegatedRoles ? `may assign ${grant.delegatedRoles.join(", ")}` : undefined;
  const approval = grant.jit.approvers.length
    ? `approval by ${grant.jit.approvers.map((approver) => approver.name ?? approver.id).join(", ")}`
    : "no approval";
  return `JIT up to ${grant.jit.maximumActivationDuration}, MFA ${grant.jit.multiFactorAuthProvider}, ${approval}`;
}

function rowsOf(columns: MatrixColumn[]): Row[] {
  const rows = new Map<string, Row>();
  const add = (key: string, row: Omit<Row, "cells">, stack: string, entry: Entry) => {
    const current = rows.get(key) ?? { ...row, cells: new Map<string, Entry[]>() };
    current.cells.set(stack, [...(current.cells.get(stack) ?? []), entry]);
    rows.set(key, current);
  };
  for (const { stack, access } of columns) {
    for (const delegation of [...access.delegations, ...(access.managementGroups ?? [])]) {
      for (const scope of delegation.scopes) {
        for (const [kind, grants] of [
          ["permanent", delegation.permanent],
          ["eligible", delegation.eligible],
        ] as const) {
          for (const grant of grants) {
            // Granted by the management group's policy in each subscription below it, not at the group.
            const detail = [
              jitDetail(grant),
              delegation.managementGroupId && "in each of its subscriptions, by Azure Policy",
            ]
              .filter(Boolean)
              .join("; ");
            add(
              `principal ${grant.principal.id}`,
              { label: grant.principal.name ?? grant.principal.id, id: grant.principal.id, what: "principal" },
              stack,
              { role: grant.role, kind, scope, offer: delegation.offer, ...(detail ? { detail } : {}) },
            );
          }
        }
      }
    }
    for (const identity of access.identities) {
      const id =
        identity.kind === "user-assigned"
          ? `${identity.subscriptionId ?? ""}/${identity.resourceGroup ?? ""}/${identity.name}`
          : identity.name;
      for (const role of identity.roleAssignments) {
        add(
          `identity ${id}`,
          {
            label: identity.kind === "user-assigned" ? identity.name : `system-assigned: ${lastSegment(identity.name)}`,
            id,
            what: "managed identity",
          },
          stack,
          {
            role: role.role,
            kind: "permanent",
            scope: role.scope,
            ...(role.delegated ? { detail: "assigned through Lighthouse" } : {}),
          },
        );
      }
    }
  }
  return [...rows.values()].sort(
    (a, b) => a.what.localeCompare(b.what) || a.label.localeCompare(b.label) || a.id.localeCompare(b.id),
  );
}

function entryHtml(entry: Entry, column: MatrixColumn): string {
  const where = scopeLabel(entry.scope, column.subscriptionNames);
  const search = escapeHtml(`${entry.role} ${where} ${entry.offer ?? ""} ${column.customer}`.toLowerCase());
  const offer = entry.offer ? ` <span class="detail">offer ${escapeHtml(entry.offer)}</span>` : "";
  const detail = entry.detail ? ` <span class="detail">${escapeHtml(entry.detail)}</span>` : "";
  const scope = `<span class="scope" title="${escapeHtml(entry.scope)}">${escapeHtml(where)}</span>`;
  return `<li class="${entry.kind}" data-kind="${entry.kind}" data-search="${search}"><span class="role">${escapeHtml(entry.role)}</span> <span class="badge">${entry.kind}</span> ${scope}${offer}${detail}</li>`;
}

const SCRIPT = `
const filter = document.getElementById("filter");
const kind = document.getElementById("kind");
const customer = document.getElementById("customer");
const summary = document.getElementById("summary");
const headers = [...document.querySelectorAll("thead th[data-column]")];
const rows = [...document.querySelectorAll("tbody tr")];
function apply() {
  const query = filter.value.trim().toLowerCase();
  const column = customer.value;
  const used = new Set();
  let principals = 0, grants = 0;
  for (const row of rows) {
    const rowMatches = row.dataset.search.includes(query);
    let shown = 0;
    for (const cell of row.querySelectorAll("td")) {
      let inCell = 0;
      for (const item of cell.querySelectorAll("li")) {
        const visible = (column === "" || cell.dataset.column === column) &&
          (kind.value === "all" || item.dataset.kind === kind.value) &&
          (rowMatches || item.dataset.search.includes(query));
        item.hidden = !visible;
        if (visible) inCell++;
      }
      if (inCell) used.add(cell.dataset.column);
      shown += inCell;
    }
    row.hidden = shown === 0;
    if (shown) { principals++; grants += shown; }
  }
  // Only the customers something is shown for: one customer, or one principal's, fits the screen.
  for (const header of headers) header.hidden = !used.has(header.dataset.column);
  for (const cell of document.querySelectorAll("tbody td")) cell.hidden = !used.has(cell.dataset.column);
  summary.textContent = principals + " of " + rows.length + " principals, " + grants + " grants at " + used.size + " of " + headers.length + " customers shown";
}
// One principal's view: its customers one under another, what it holds at each.
const principal = document.getElementById("principal");
const table = document.querySelector("table");
const list = document.getElementById("principal-view");
function showPrincipal() {
  const row = rows.find((candidate) => candidate.dataset.principal === principal.value);
  table.hidden = Boolean(row);
  list.hidden = !row;
  list.replaceChildren();
  if (!row) return;
  const heading = document.createElement("h2");
  heading.textContent = row.querySelector("th").textContent;
  list.append(heading);
  for (const cell of row.querySelectorAll("td")) {
    if (!cell.querySelector("li")) continue;
    const header = headers.find((candidate) => candidate.dataset.column === cell.dataset.column);
    const block = document.createElement("section");
    const title = document.createElement("h3");
    title.textContent = header.textContent;
    block.append(title, cell.querySelector("ul").cloneNode(true));
    list.append(block);
  }
}
filter.addEventListener("input", apply);
kind.addEventListener("change", apply);
customer.addEventListener("change", apply);
principal.addEventListener("change", showPrincipal);
apply();
`;

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
table { border-collapse: separate; border-spacing: 0; }
th, td { border: 1px solid #c8c8c8; padding: .4rem .6rem; vertical-align: top; text-align: left; min-width: 14rem; max-width: 26rem; }
thead th { background: #f0f3f7; position: sticky; top: 0; z-index: 2; }
tbody th { background: #fafafa; position: sticky; left: 0; z-index: 1; min-width: 12rem; }
thead th:first-child { left: 0; z-index: 3; }
ul { list-style: none; margin: 0; padding: 0; }
li { margin: .15rem 0; overflow-wrap: anywhere; }
.badge { font-size: .75rem; padding: 0 .35rem; border-radius: .6rem; background: #dfe9f6; }
li.eligible .badge { background: #fbe7c6; }
li.eligible { border-left: 3px solid #e8a33d; padding-left: .3rem; }
.scope, .detail, .what { color: #5a5a5a; font-size: .85rem; }
.controls { margin: 1rem 0; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
#principal-view section { border-top: 1px solid #c8c8c8; padding: .3rem 0; }
#principal-view h3 { font-size: 1rem; margin: .2rem 0; }
`;

/** The page: principals (rows) × stacks (columns), each cell the roles with their scope and kind. */
export function accessMatrixHtml(columns: MatrixColumn[], generated: string): string {
  const rows = rowsOf(columns);
  const header = columns
    .map(
      (column) =>
        `<th scope="col" data-column="${escapeHtml(column.stack)}">${escapeHtml(column.customer)}<br><span class="what">stack ${escapeHtml(column.stack)}</span></th>`,
    )
    .join("");
  const principalOptions = rows
    .map((row) => `<option value="${escapeHtml(row.id)}">${escapeHtml(row.label)} (${row.what})</option>`)
    .join("");
  const customerOptions = [...columns]
    .sort((a, b) => a.customer.localeCompare(b.customer) || a.stack.localeCompare(b.stack))
    .map(
      (column) =>
        `<option value="${escapeHtml(column.stack)}">${escapeHtml(column.customer)} (stack ${escapeHtml(column.stack)})</option>`,
    )
    .join("");
  const body = rows
    .map((row) => {
      const cells = columns
        .map(
          (column) =>
            `<td data-column="${escapeHtml(column.stack)}">${
              row.cells.has(column.stack)
                ? `<ul>${row.cells
                    .get(column.stack)!
                    .map((entry) => entryHtml(entry, column))
                    .join("")}</ul>`
                : ""
            }</td>`,
        )
        .join("");
      const search = escapeHtml(`${row.label} ${row.id} ${row.what}`.toLowerCase());
      return `<tr data-search="${search}" data-principal="${escapeHtml(row.id)}"><th scope="row">${escapeHtml(row.label)}<br><span class="what">${row.what} ${escapeHtml(row.id)}</span></th>${cells}</tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Access matrix</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Access matrix</h1>
<p>Who holds which role in each customer's stack, from the offline plan of ${columns.length} stack(s) (${escapeHtml(generated)}). Permanent and eligible (just-in-time) grants are marked.</p>
<div class="controls">
<label>Filter <input id="filter" type="search" placeholder="principal, role, scope or customer"></label>
<label>Customer <select id="customer"><option value="">all ${columns.length} customers</option>${customerOptions}</select></label>
<label>Principal <select id="principal"><option value="">every principal (table)</option>${principalOptions}</select></label>
<label>Show <select id="kind"><option value="all">permanent and eligible</option><option value="permanent">permanent only</option><option value="eligible">eligible only</option></select></label>
<span id="summary">${rows.length} principals, ${columns.length} customers</span>
</div>
<div id="principal-view" hidden></div>
<table>
<thead><tr><th scope="col">Principal</th>${header}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
