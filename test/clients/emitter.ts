/**
 * A tiny contract that emits `Ping(address indexed from, uint256 value)` on every call, hand-assembled
 * (nothing is compiled at runtime). `value` is the first 32 bytes of the calldata.
 *
 * Runtime code (46 bytes):
 *   60 00     PUSH1 0          calldata offset
 *   35        CALLDATALOAD     value = calldata[0:32]
 *   60 00     PUSH1 0
 *   52        MSTORE           memory[0:32] = value
 *   33        CALLER           topic 1: msg.sender
 *   7f <32>   PUSH32 topic0    keccak256("Ping(address,uint256)")
 *   60 20     PUSH1 32         log data size
 *   60 00     PUSH1 0          log data offset
 *   a2        LOG2             log(memory[0:32], topic0, caller)
 *   00        STOP
 * Init code (11 bytes) copies the runtime code that follows it into memory and returns it:
 *   60 2e     PUSH1 46         runtime size
 *   80        DUP1
 *   60 0b     PUSH1 11         runtime offset in the creation code
 *   60 00     PUSH1 0          memory offset
 *   39        CODECOPY         memory[0:46] = code[11:57]
 *   60 00     PUSH1 0
 *   f3        RETURN           return memory[0:46]
 */
import { concatHex, keccak256, parseAbi, toHex, type Hex } from 'viem'

export const PING_TOPIC: Hex = keccak256(toHex('Ping(address,uint256)'))
export const emitterAbi = parseAbi(['event Ping(address indexed from, uint256 value)'])
export const EMITTER_RUNTIME: Hex = concatHex(['0x600035600052337f', PING_TOPIC, '0x60206000a200'])
export const EMITTER_INITCODE: Hex = concatHex(['0x602e80600b6000396000f3', EMITTER_RUNTIME])
