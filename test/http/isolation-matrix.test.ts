import { describeIsolationMatrix } from "./isolation-matrix.js";

describeIsolationMatrix("sqlite");
