// Type of the validator that scripts/build.mjs generates with ajv's standalone mode.
interface ValidationError {
  instancePath: string;
  message?: string;
}
declare const validate: ((data: unknown) => boolean) & { errors?: ValidationError[] | null };
export default validate;
