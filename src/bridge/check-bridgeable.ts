import { BridgeError } from "./bridge-error.js";
import { type BridgeRoute, planBridge } from "./plan-bridge.js";

/**
 * Validation's check of one record: null when the route's backend speaks the endpoint natively
 * or the body translates; otherwise the field it cannot carry (`body.<field>`, or `url` when the
 * endpoint has no bridge to this backend) and a message naming the route and its backend.
 * Every format's line parser calls this, so a batch fails before anything is sent.
 */
export function checkBridgeable(
  endpoint: string,
  route: BridgeRoute,
  bodyText: string | Buffer,
): { param: string; message: string } | null {
  try {
    const bridge = planBridge(endpoint, route);
    if (!bridge) return null;
    try {
      bridge.toNative(typeof bodyText === "string" ? bodyText : bodyText.toString("utf8"));
      return null;
    } catch (error) {
      if (!(error instanceof BridgeError)) throw error;
      const param = error.param === "" ? "body" : `body.${error.param}`;
      return { param, message: `${error.messageUnder("body")} ${onRoute(route)}` };
    }
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    return { param: error.param, message: error.reason };
  }
}

const onRoute = (route: BridgeRoute) =>
  `(route '${route.name}', backend type ${route.backend.type}; see docs/providers.md, "Bridging between dialects").`;
