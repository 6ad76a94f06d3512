/**
 * The fake's error replies, as documented/captured in contract §2.3, §4.3 and §5. Native bodies are
 * `{code, message, request_id}`; compatible-mode bodies are the OpenAI envelope plus ids.
 */
import { randomUUID } from 'node:crypto';

export type Api = 'native' | 'compatible';

export interface FakeError {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

interface ErrorSpec {
  readonly status: number;
  readonly nativeCode: string;
  readonly nativeMessage: string;
  readonly compatCode: string;
  readonly compatType: string;
  readonly compatMessage: string;
  /** Compat bodies of some errors carry no ids (contract §2.3 fixtures). */
  readonly compatIds?: 'both' | 'request_id' | 'none';
}

const SPECS = {
  auth: { status: 401, nativeCode: 'InvalidApiKey', nativeMessage: 'Invalid API-key provided.', compatCode: 'invalid_api_key', compatType: 'invalid_request_error', compatMessage: 'Incorrect API key provided. For details, see: https://www.alibabacloud.com/help/en/model-studio/error-code#apikey-error', compatIds: 'request_id' },
  arrearage: { status: 400, nativeCode: 'Arrearage', nativeMessage: 'Access denied, please make sure your account is in good standing.', compatCode: 'Arrearage', compatType: 'Arrearage', compatMessage: 'Access denied, please make sure your account is in good standing. For details, see: https://www.alibabacloud.com/help/en/model-studio/error-code#overdue-payment', compatIds: 'none' },
  accessDenied: { status: 403, nativeCode: 'AccessDenied', nativeMessage: 'Access denied.', compatCode: 'access_denied', compatType: 'access_denied', compatMessage: 'Access denied.' },
  freeTierOnly: { status: 403, nativeCode: 'AllocationQuota.FreeTierOnly', nativeMessage: 'The free tier of the model has been exhausted. If you wish to continue access the model on a paid basis, please disable the "use free tier only" mode in the management console.', compatCode: 'AllocationQuota.FreeTierOnly', compatType: 'AllocationQuota.FreeTierOnly', compatMessage: 'The free tier of the model has been exhausted.' },
  rpm: { status: 429, nativeCode: 'Throttling.RateQuota', nativeMessage: 'Requests rate limit exceeded, please try again later.', compatCode: 'limit_requests', compatType: 'limit_requests', compatMessage: 'You have exceeded your current request limit. For details, see: https://www.alibabacloud.com/help/en/model-studio/error-code#rate-limit', compatIds: 'none' },
  tpm: { status: 429, nativeCode: 'Throttling.AllocationQuota', nativeMessage: 'Allocated quota exceeded, please increase your quota limit.', compatCode: 'insufficient_quota', compatType: 'insufficient_quota', compatMessage: 'You exceeded your current quota, please check your plan and billing details.' },
  burst: { status: 429, nativeCode: 'Throttling.BurstRate', nativeMessage: 'Request rate increased too quickly. To ensure system stability, please adjust your client logic to scale requests more smoothly over time.', compatCode: 'limit_requests', compatType: 'limit_requests', compatMessage: 'Request rate increased too quickly. To ensure system stability, please adjust your client logic to scale requests more smoothly over time.' },
  internal: { status: 500, nativeCode: 'InternalError', nativeMessage: 'An internal error has occured, please try again later or contact service support.', compatCode: 'internal_error', compatType: 'internal_error', compatMessage: 'An internal error has occured, please try again later or contact service support.' },
  unavailable: { status: 503, nativeCode: 'ServiceUnavailable', nativeMessage: 'Service is temporarily unavailable, please try again later.', compatCode: 'ServiceUnavailable', compatType: 'ServiceUnavailable', compatMessage: 'Service is temporarily unavailable, please try again later.' },
  gatewayTimeout: { status: 504, nativeCode: 'RequestTimeOut', nativeMessage: 'Request timed out, please try again later.', compatCode: 'RequestTimeOut', compatType: 'RequestTimeOut', compatMessage: 'Request timed out, please try again later.' },
  tooLarge: { status: 413, nativeCode: 'RequestTooLarge', nativeMessage: 'Request entity too large: the body must not exceed 16 MiB.', compatCode: 'RequestTooLarge', compatType: 'invalid_request_error', compatMessage: 'Request entity too large: the body must not exceed 16 MiB.' },
  emptyModel: { status: 400, nativeCode: 'BadRequest.EmptyModel', nativeMessage: 'Required parameter "model" missing from request.', compatCode: 'invalid_parameter_error', compatType: 'invalid_request_error', compatMessage: 'Required parameter "model" missing from request.' },
  emptyInput: { status: 400, nativeCode: 'BadRequest.EmptyInput', nativeMessage: 'Required input parameter missing from request.', compatCode: 'InvalidParameter', compatType: 'InvalidParameter', compatMessage: 'Required input parameter missing from request.' },
} satisfies Record<string, ErrorSpec>;

export type ErrorName = keyof typeof SPECS;

function envelope(api: Api, status: number, code: string, type: string, message: string, ids: ErrorSpec['compatIds'] = 'both'): FakeError {
  const requestId = randomUUID();
  const headers = { 'x-request-id': requestId };
  if (api === 'native') return { status, headers, body: JSON.stringify({ code, message, request_id: requestId }) };
  const body: Record<string, unknown> = { error: { message, type, param: null, code } };
  if (ids === 'both') body.id = requestId;
  if (ids === 'both' || ids === 'request_id') body.request_id = requestId;
  return { status, headers, body: JSON.stringify(body) };
}

export function namedError(api: Api, name: ErrorName): FakeError {
  const s: ErrorSpec = SPECS[name];
  return api === 'native'
    ? envelope(api, s.status, s.nativeCode, '', s.nativeMessage)
    : envelope(api, s.status, s.compatCode, s.compatType, s.compatMessage, s.compatIds);
}

/** `InvalidParameter` 400s share one shape; messages carry the `<400> InternalError.Algo…` prefix as captured. */
export function invalidParameter(api: Api, detail: string): FakeError {
  const message = `<400> InternalError.Algo.InvalidParameter: ${detail}`;
  return envelope(api, 400, 'InvalidParameter', 'InvalidParameter', message);
}

export function modelNotFound(api: Api, model: string): FakeError {
  return api === 'native'
    ? envelope(api, 404, 'ModelNotFound', '', `Model not exist: ${model}.`)
    : envelope(api, 404, 'model_not_found', 'invalid_request_error', `The model \`${model}\` does not exist or you do not have access to it.`);
}
