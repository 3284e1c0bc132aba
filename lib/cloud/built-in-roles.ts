/** Names of the Azure built-in roles AKS JIT is likely to grant (azure-contracts.md B.6), for pages and messages. */
export const BUILT_IN_ROLE_NAMES: Record<string, string> = {
  "3498e952-d568-435e-9b2c-8d77e338d7f7": "Azure Kubernetes Service RBAC Admin",
  "7f6c6a51-bcf8-42ba-9220-52d62157d7db": "Azure Kubernetes Service RBAC Reader",
  "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b": "Azure Kubernetes Service RBAC Cluster Admin",
  "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb": "Azure Kubernetes Service RBAC Writer",
  "4abbcc35-e782-43d8-92c5-2d3f1bd2253f": "Azure Kubernetes Service Cluster User Role",
  "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8": "Azure Kubernetes Service Cluster Admin Role",
  "fb879df8-f326-4884-b1cf-06f3ad86be52": "Virtual Machine User Login",
  "1c0163c0-47e6-4577-8991-ea5c82e286e4": "Virtual Machine Administrator Login",
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};
