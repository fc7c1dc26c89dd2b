/**
 * Checks an answer against the schema the OpenAPI document declares for it:
 * every required field present, no field the schema does not declare, types,
 * enums and nullability as declared. Enough of JSON Schema for the documents
 * @nestjs/swagger writes ($ref, allOf, object, array, scalars).
 */
export type OpenApiDocument = {
  paths: Record<string, Record<string, { responses?: Record<string, OpenApiResponse> }>>;
  components: { schemas: Record<string, Schema> };
};
type OpenApiResponse = { content?: Record<string, { schema?: Schema }> };
type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
};

/** The JSON schema of one success answer, or undefined when the document declares none. */
export function responseSchema(
  doc: OpenApiDocument,
  method: string,
  path: string,
  status: number,
  mediaType = 'application/json',
): Schema | undefined {
  return doc.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.[mediaType]
    ?.schema;
}

/** Where `value` departs from `schema`: one line per problem, empty when it conforms. */
export function schemaViolations(
  doc: OpenApiDocument,
  schema: Schema,
  value: unknown,
  at = '$',
): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) return [`${at}: unknown schema ${schema.$ref}`];
    return schemaViolations(doc, target, value, at);
  }
  if (schema.allOf) return schema.allOf.flatMap((s) => schemaViolations(doc, s, value, at));
  if (value === null) return schema.nullable ? [] : [`${at}: null where the schema allows none`];
  if (schema.enum && !schema.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is none of ${JSON.stringify(schema.enum)}`];
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      const record = value as Record<string, unknown>;
      const properties = schema.properties ?? {};
      return [
        ...(schema.required ?? [])
          .filter((k) => !(k in record))
          .map((k) => `${at}.${k}: required, missing`),
        ...Object.entries(record).flatMap(([k, v]) =>
          properties[k]
            ? schemaViolations(doc, properties[k], v, `${at}.${k}`)
            : [`${at}.${k}: not declared`],
        ),
      ];
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      return value.flatMap((v, i) => schemaViolations(doc, schema.items ?? {}, v, `${at}[${i}]`));
    case 'string':
    case 'boolean':
      return typeof value === schema.type ? [] : [`${at}: not a ${schema.type}`];
    case 'number':
    case 'integer':
      return typeof value === 'number' ? [] : [`${at}: not a number`];
    case undefined:
      return [];
    default:
      return [`${at}: unchecked schema type ${schema.type}`];
  }
}
