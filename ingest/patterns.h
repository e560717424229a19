// How relation triggers in schema/relation-types.json are read. This is the trigger grammar;
// the engine that applies it is ingest/extractor.cpp.
//
// Each relation type lists triggers. A trigger is a verb or a noun phrase:
//
//   {"verb": "congratulate", "object": ["direct", "on"]}
//       matches "congratulate", "congratulates", "congratulated", "congratulating" (and any
//       irregular "forms"). The subject is the nearest actor to its left in the clause (or
//       the actors coordinated there: "China and Russia condemned ..."); after ", <verb>ing"
//       it is the clause's first actor ("Xi ..., praising Putin"); after "and" it is the
//       subject of the verb before ("Beijing said ... and accused Manila"); after "who" it is
//       the actor "who" refers to. In the passive ("was attacked by X", "missiles supplied by
//       X") the sides swap. The object is the first actor after the trigger, reached directly
//       ("direct") or through one of the listed prepositions, or an apposition renaming it
//       ("met the summit's host, Russian President Vladimir Putin"). After an article or a
//       possessive the word is a noun, not this verb ("China's support").
//   {"noun": "invasion", "object": ["of"]}
//       matches "invasion" and its plural (unless "plural": false). The subject is a
//       possessive before it ("Russia's invasion of ..."), an actor right before it, an actor
//       after "by", the clause's subject when the noun stands in an adverbial or apposition
//       ("at the end of a visit to China", ", a surprise trip to Moscow"), or else the nearest
//       actor to the left.
//   {"noun": "help", "subject": ["from"]}
//       the subject follows the noun after one of these prepositions and the object is the
//       actor before it ("shot down by Israel with help from the United States").
//   {"noun": "backer", "copular": true}
//       "X is Y's (most important) backer": the subject is the actor before the copula and the
//       object is the possessor.
//   "parties": ["between", "with", "involving", "direct"]   (symmetric types)
//       a reciprocal act. Actors after "between", "among" or "involving" are the parties and
//       each pair of them gets the relation ("exercises involving Chinese and Russian
//       warships, along with Iran" gives three pairs; a host of "talks between A and B" is no
//       party). Otherwise coordinated subjects pair with each other ("Mali, Burkina Faso and
//       Niger signed") and each subject with each actor introduced by these words ("signed
//       similar agreements with Australia and Britain" is two agreements). Without a subject a
//       verb gives nothing. A symmetric trigger with "object" instead is transitive: only
//       subject and object pair ("Putin hosted Modi").
//   "requires_before" / "requires_after": one of these words must stand within three tokens
//       before / six tokens after the trigger ("joint" exercises; "signed ... agreement").
//   "places": true      the object (or party) may be a capital or state after a place
//                       preposition ("arrived in Moscow", "imports oil from Russia").
//   "excludes_after": none of these words may stand within three tokens after the trigger
//                       ("traded fire" is no trade).
//   "passive_only": true    only in the passive ("the army, led by General X", not "led the
//                       talks" or "an army-led government").
//   "person_object": true   only a person is an object ("Lula received Maduro", but not
//                       "Kenya received U.S. support").
//
// Cue words (schema/dictionaries/cues.json) then qualify each relation: negation cues before
// the trigger mark it negated ("denies supplying arms"), attribution cues mark it attributed
// ("according to", "accused ... of"), modality cues drop it ("will hold drills next year"),
// and sentences with sports or history cues, or recounting a year at least four years before
// the article's date ("in 1988"), yield nothing.
#pragma once
