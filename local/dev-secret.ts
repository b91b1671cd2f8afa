/**
 * The CallbackSecret of `npm start` and `npm run send` when CALLBACK_SECRET is unset: printed,
 * never used anywhere but on a laptop. Its own file, so that `send` does not load the server.
 */
export const DEV_SECRET = 'local-dev-secret';
