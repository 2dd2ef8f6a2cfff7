// Entry point of the CrossGuard pack: `pulumi preview --policy-pack policies`.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("lighthouse", { policies });
