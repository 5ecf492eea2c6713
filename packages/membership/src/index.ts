export type { MemberRecord, MemberState, Message, MessageType, Metadata } from './wire/messages.js'
