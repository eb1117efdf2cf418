// Reads the YAML out of a `koncierge/manifests` result. Pure, so that it is unit-tested.

/** The YAML text out of a `koncierge/manifests` result, whichever of the documented forms it takes. */
export function manifestsText(result: unknown, environment: string): string | undefined {
  if (typeof result === "string") return result;
  if (!result || typeof result !== "object") return undefined;
  const record = result as Record<string, unknown>;
  for (const key of ["yaml", "text", "manifests"]) {
    if (typeof record[key] === "string") return record[key] as string;
  }
  const perEnvironment = record.environments ?? record.manifests;
  if (perEnvironment && typeof perEnvironment === "object") {
    if (Array.isArray(perEnvironment)) {
      const match = perEnvironment.find(
        (entry) => entry && typeof entry === "object" && ((entry as Record<string, unknown>).env ?? (entry as Record<string, unknown>).environment ?? (entry as Record<string, unknown>).name) === environment,
      ) as Record<string, unknown> | undefined;
      if (match) return manifestsText(match, environment);
    } else {
      const value = (perEnvironment as Record<string, unknown>)[environment];
      if (value !== undefined) return manifestsText(value, environment);
    }
  }
  return undefined;
}
