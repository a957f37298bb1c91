#pragma once
// A loopback TCP port the kernel just handed out: free unless another process
// grabs it before the caller binds it (the rendezvous of local ranks binds it
// a moment later; the multi-process tests do the same).
namespace soundspot {

// Throws Error when no socket can be opened or bound on 127.0.0.1.
int freeLoopbackPort();

}  // namespace soundspot
