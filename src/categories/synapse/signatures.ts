/** Compile-time signatures of the built-in Synapse callbacks (filled in with the category pack). */
export interface SynapseCallbackSignatures {}
