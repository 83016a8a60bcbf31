import type { ZodError } from "zod";

/** One line per problem, naming the field and (for enums) the valid values zod reports. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join(".") : "input";
      return `${field}: ${issue.message}`;
    })
    .join("\n");
}
