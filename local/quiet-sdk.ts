// The SDK warns on every start under Node < 22 that its 2027 releases will need Node 22. The
// lockfile pins a release that supports this machine's Node 20; the Lambda runs Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
