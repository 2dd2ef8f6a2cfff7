import { quote } from "../text";
import { finding, type Finding } from "./table";

/**
 * Who may obtain an identity's tokens: federated credentials that trust only what a protection
 * rule guards.
 */

/** GitHub Actions' OIDC issuer. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * GitHub subjects whose tokens no protection rule guards: `repo:<owner>/<repo>:pull_request` is
 * what every pull request's workflow receives (and a branch can add a workflow that asks for it),
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>` what any workflow run on that branch receives.
 * Environments carry required reviewers and deployment-branch policies (GitHub docs, "About
 * security hardening with OpenID Connect": subject claims; "Managing environments for deployment").
 */
const UNPROTECTED_SUBJECT = /^repo:([^:]+):(pull_request|ref:refs\/heads\/.*)$/;

/**
 * Federated credentials (as read: unreadable entries are skipped, indices kept) that give an
 * identity's access to pull requests or to a branch.
 */
export function reviewFederatedSubjects(
  credentials: Array<{ issuer?: unknown; subject?: unknown } | undefined>,
): Finding[] {
  return credentials.flatMap((credential, index) => {
    if (typeof credential?.issuer !== "string" || typeof credential.subject !== "string") return [];
    const match = UNPROTECTED_SUBJECT.exec(credential.subject);
    if (credential.issuer.replace(/\/$/, "") !== GITHUB_ISSUER || !match) return [];
    const who = match[2] === "pull_request" ? "every pull request's workflow" : "any workflow run on that branch";
    return [
      finding(
        "federated-subject-protected",
        ["federatedCredentials", index, "subject"],
        `subject ${quote(credential.subject)} gives this identity's access to ${who}: trust a protected environment instead (repo:${match[1]}:environment:production, with required reviewers and main as its only deployment branch)`,
      ),
    ];
  });
}
