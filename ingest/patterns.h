// How relation triggers in schema/relation-types.json are read. This is the trigger grammar;
// the engine that applies it is ingest/extractor.cpp.
//
// Each relation type lists triggers. A trigger is a verb or a noun phrase:
//
//   {"verb": "congratulate", "object": ["direct", "on"]}
//       matches "congratulate", "congratulates", "congratulated", "congratulating" (and any
//       irregular "forms"). The subject is the nearest actor to its left in the clause (or
//       the actors coordinated there: "China and Russia condemned ..."); after ", <verb>ing"
//       it is the clause's first actor ("Xi ..., praising Putin"). In the passive ("was
//       attacked by X") the sides swap. The object is the first actor after the trigger,
//       reached directly ("direct") or through one of the listed prepositions.
//   {"noun": "invasion", "object": ["of"]}
//       matches "invasion" and its plural (unless "plural": false). The subject is a
//       possessive before it ("Russia's invasion of ..."), an actor right before it, an actor
//       after "by", or else the nearest actor to the left.
//   "parties": ["between", "with", "involving"]   (symmetric types)
//       every actor introduced by these words, plus the subject if there is one, is a party;
//       every pair of parties gets the relation ("exercises involving Chinese and Russian
//       warships, along with Iran" gives three pairs).
//   "requires_before" / "requires_after": one of these words must stand within three tokens
//       before / six tokens after the trigger ("joint" exercises; "signed ... agreement").
//   "places": true      the object may be a capital used as a place ("arrived in Moscow").
//
// Cue words (schema/dictionaries/cues.json) then qualify each relation: negation cues before
// the trigger mark it negated ("denies supplying arms"), attribution cues mark it attributed
// ("according to", "accused ... of"), modality cues drop it ("will hold drills next year"),
// and sentences with sports or history cues yield nothing.
#pragma once
