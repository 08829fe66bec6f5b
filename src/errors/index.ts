export { OrdoError, isOrdoError, type OrdoErrorCode, type OrdoErrorOptions } from './OrdoError.js';
export { OrdoHttpError, type OrdoHttpErrorOptions } from './OrdoHttpError.js';
export { OrdoAuthError } from './OrdoAuthError.js';
export { OrdoNotFoundError } from './OrdoNotFoundError.js';
export { OrdoNetworkError } from './OrdoNetworkError.js';
export { OrdoTimeoutError, type OrdoTimeoutScope } from './OrdoTimeoutError.js';
export { OrdoSchemaError, type OrdoSchemaIssue } from './OrdoSchemaError.js';
export { OrdoIllegalTransitionError } from './OrdoIllegalTransitionError.js';
export { OrdoJobFailedError } from './OrdoJobFailedError.js';
